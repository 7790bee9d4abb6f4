// Counting the frames of the capture QEMU's filter-dump writes beside a recording (classic pcap:
// a 24-byte file header, then a 16-byte header per frame whose third word is the captured length;
// QEMU's net/dump.c writes it in host byte order, microsecond timestamps, link type Ethernet).
// Pure: the bytes come in, a count or a reason goes out.

// The format's facts live with the capture reader (src/frames/pcap.ts); this count keeps its own
// messages, which name frames from 1 as the recorder reports them.
import { FILE_HEADER_BYTES as FILE_HEADER, MAGIC_NS as MAGIC_NANOSECONDS, MAGIC_US as MAGIC_MICROSECONDS, RECORD_HEADER_BYTES as RECORD_HEADER } from '../frames/pcap.js';

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
