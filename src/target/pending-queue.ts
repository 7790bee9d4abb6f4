// The requests a FIFO protocol is waiting on, with their deadlines.
//
// qtest has no request ids: the n-th reply belongs to the n-th request. So the queue is a plain
// FIFO, and a timeout cannot be handled per request (a late reply would be matched to the next
// request); instead the owner is told which entry expired and abandons the connection.
//
// One timer serves the whole queue: it is armed for the earliest deadline seen and, when it fires,
// rescans. Replies therefore cost O(1) (no timer churn at 400k replies/s), and a scan happens at
// most once per timeout period.

export interface Deadlined {
  /** performance.now()-based time at which the entry times out; Infinity for never. */
  readonly deadline: number;
}

/** setTimeout cannot wait longer than this (it fires at once instead). */
const MAX_TIMER_MS = 0x7fffffff;

export class PendingQueue<T extends Deadlined> {
  private items: Array<T | undefined> = [];
  private head = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt = Infinity;

  constructor(
    private readonly onExpire: (expired: T) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
    if (item.deadline < this.timerAt) this.arm(item.deadline);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined; // let the settled request be collected
    this.head += 1;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
      this.disarm();
    } else if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Removes and returns everything still pending, oldest first. */
  drain(): T[] {
    const rest = this.items.slice(this.head).filter((item): item is T => item !== undefined);
    this.items = [];
    this.head = 0;
    this.disarm();
    return rest;
  }

  private arm(at: number): void {
    this.disarm();
    if (at === Infinity) return;
    this.timerAt = at;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil(at - this.now())));
    this.timer = setTimeout(() => this.check(), delay);
  }

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  private check(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.now();
    let earliest = Infinity;
    for (let i = this.head; i < this.items.length; i += 1) {
      const item = this.items[i];
      if (item === undefined) continue;
      if (item.deadline <= now) {
        this.onExpire(item);
        return;
      }
      if (item.deadline < earliest) earliest = item.deadline;
    }
    this.arm(earliest);
  }
}
