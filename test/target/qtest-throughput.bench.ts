// Micro-benchmark of the qtest client (not a test): reads/s of `readl STATUS` on a paused igb,
// one request in flight vs pipelined batches, over both transports.
// Run: node --import ./test/target/fixtures/register-ts.mjs test/target/qtest-throughput.bench.ts
import { launchQemu, type QemuSession } from '../../src/target/qemu-process.js';
import { setupNic } from '../../src/target/pci-setup.js';

const STATUS = 0x8;
const RUNS = 3;

async function naive(session: QemuSession, addr: number, count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) await session.qtest.readl(addr);
}

async function batched(session: QemuSession, addr: number, count: number, batch: number): Promise<void> {
  const commands = Array.from({ length: batch }, () => ({ op: 'readl' as const, addr }));
  for (let done = 0; done < count; done += batch) await session.qtest.sendBatch(commands);
}

async function rate(run: () => Promise<void>, count: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const start = performance.now();
    await run();
    samples.push(count / ((performance.now() - start) / 1000));
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(RUNS / 2)] ?? 0;
}

async function bench(transport: 'unix' | 'stdio'): Promise<void> {
  const launchStart = performance.now();
  const session = await launchQemu({ transport, qmp: false });
  const launchMs = performance.now() - launchStart;
  try {
    const { mmio } = await setupNic(session.qtest, { model: 'igb', slot: 2 });
    const addr = mmio + STATUS;
    await batched(session, addr, 20_000, 512); // warm-up
    const results: Record<string, number> = {
      '1 in flight': await rate(() => naive(session, addr, 20_000), 20_000),
    };
    for (const batch of [64, 512, 4096]) {
      const count = 102_400;
      results[`batch ${batch}`] = await rate(() => batched(session, addr, count, batch), count);
    }
    console.log(transport.padEnd(6), `launch ${launchMs.toFixed(0)} ms `, Object.entries(results).map(([k, v]) => `${k}: ${Math.round(v / 1000)}k/s`).join('  '));
  } finally {
    await session.close();
  }
}

await bench('unix');
await bench('stdio');
