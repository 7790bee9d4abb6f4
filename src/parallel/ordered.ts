// Runs independent tasks at most `concurrency` at a time and hands back their outputs in input
// order, whatever order they finish in or were started in (a caller may start the longest first).
// The first failure stops new tasks from starting; the ones under way finish (each owns a QEMU, which must be closed, not abandoned), then the failure of the
// earliest task in input order is thrown, so the error a user sees does not depend on timing.

export interface OrderedOptions<Out> {
  readonly concurrency: number;
  /** Each task's output as it completes (progress); `done` counts completed tasks. */
  readonly onDone?: (index: number, output: Out, done: number) => void;
  /** Checked before each start: true stops starting (the run is being interrupted). */
  readonly stopped?: () => boolean;
  /** The order to start tasks in, as input indices (each once); absent: input order. */
  readonly startOrder?: readonly number[];
}

export async function runOrdered<In, Out>(inputs: readonly In[], run: (input: In, index: number) => Promise<Out>, options: OrderedOptions<Out>): Promise<Out[]> {
  const outputs: Out[] = new Array<Out>(inputs.length);
  const failures = new Map<number, unknown>();
  const order = options.startOrder ?? inputs.map((_, i) => i);
  if (order.length !== inputs.length || new Set(order).size !== inputs.length || order.some((i) => !(i >= 0 && i < inputs.length))) {
    throw new Error(`startOrder must list each of the ${inputs.length} input indices once`);
  }
  let next = 0;
  let done = 0;
  const lane = async (): Promise<void> => {
    while (next < order.length && failures.size === 0 && options.stopped?.() !== true) {
      const index = order[next++]!;
      try {
        outputs[index] = await run(inputs[index]!, index);
        done++;
        options.onDone?.(index, outputs[index]!, done);
      } catch (error) {
        failures.set(index, error);
      }
    }
  };
  const lanes = Math.max(1, Math.min(options.concurrency, inputs.length));
  await Promise.all(Array.from({ length: lanes }, lane));
  if (failures.size > 0) throw failures.get(Math.min(...failures.keys()));
  if (done < inputs.length) throw new Error(`stopped after ${done} of ${inputs.length} tasks`);
  return outputs;
}
