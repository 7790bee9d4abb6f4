// Counting the frames of the capture QEMU's filter-dump writes beside a recording (classic pcap:
// a 24-byte file header, then a 16-byte header per frame whose third word is the captured length;
// QEMU's net/dump.c writes it in host byte order, microsecond timestamps, link type Ethernet).
// Pure: the bytes come in, a count or a reason goes out.

const FILE_HEADER = 24;
const RECORD_HEADER = 16;
const MAGIC_MICROSECONDS = 0xa1b2c3d4;
const MAGIC_NANOSECONDS = 0xa1b23c4d;

export type PcapCount = { readonly frames: number } | { readonly problem: string };

export function countPcapFrames(bytes: Buffer): PcapCount {
  if (bytes.length < FILE_HEADER) return { problem: `${bytes.length} bytes, shorter than a pcap file header` };
  const magicLe = bytes.readUInt32LE(0);
  const magicBe = bytes.readUInt32BE(0);
  const little = magicLe === MAGIC_MICROSECONDS || magicLe === MAGIC_NANOSECONDS;
  if (!little && magicBe !== MAGIC_MICROSECONDS && magicBe !== MAGIC_NANOSECONDS) {
    return { problem: `not a pcap file (magic 0x${magicBe.toString(16).padStart(8, '0')})` };
  }
  let frames = 0;
  let at = FILE_HEADER;
  while (at < bytes.length) {
    if (at + RECORD_HEADER > bytes.length) return { problem: `frame ${frames + 1} at byte ${at}: truncated record header` };
    const captured = little ? bytes.readUInt32LE(at + 8) : bytes.readUInt32BE(at + 8);
    at += RECORD_HEADER + captured;
    if (at > bytes.length) return { problem: `frame ${frames + 1}: ${captured} bytes announced, the file ends first` };
    frames++;
  }
  return { frames };
}
