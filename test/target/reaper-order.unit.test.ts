// The reaper's order (without processes of its own: two registered entries): what a process writes
// into is removed only after every process is down. Found by the record e2e test on a loaded
// machine: Ctrl-C while QEMU was starting removed the recording's work directory while QEMU still
// created files in it, and the directory stayed behind.
import { describe, expect, it } from '@jest/globals';
import { reapAll, registerForReaping } from '../../src/target/reaper.js';

describe('reapAll', () => {
  it('shuts the processes down first and the directories they write into after', async () => {
    const order: string[] = [];
    registerForReaping({
      afterProcesses: true,
      shutdown: async () => { order.push('work directory removed'); },
      shutdownSync: () => order.push('work directory removed (sync)'),
    });
    registerForReaping({
      shutdown: async () => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        order.push('QEMU gone');
      },
      shutdownSync: () => order.push('QEMU killed (sync)'),
    });
    await reapAll();
    expect(order).toEqual(['QEMU gone', 'work directory removed']);
  });
});
