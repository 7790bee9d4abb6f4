// A 64 KiB x86 firmware image that only halts: the CPU starts at the reset vector (the image's
// last 16 bytes), finds `hlt; jmp $-1`, and sleeps for good. With it, QEMU's vCPU never touches
// PCI config space or the NIC (SeaBIOS would reprogram the BARs mid-replay; see
// shared/reference/replay-feasibility.md, mode M0), and under `-icount shift=0,sleep=off` the idle
// vCPU lets the virtual clock jump straight to the next timer deadline when time runs.

const IMAGE_BYTES = 64 * 1024;
const RESET_VECTOR = IMAGE_BYTES - 16;
const NOP = 0x90;
/** hlt; jmp back to the hlt (short jump, displacement -3). */
const HALT_LOOP = [0xf4, 0xeb, 0xfd];

export function haltFirmware(): Buffer {
  const image = Buffer.alloc(IMAGE_BYTES, NOP);
  Buffer.from(HALT_LOOP).copy(image, RESET_VECTOR);
  return image;
}
