// A minimal typed event emitter in the style of vscode-jsonrpc's `Emitter`/`Event`: subscribing
// returns a Disposable, so a client can detach from a transport without keeping the listener around.
// No Node APIs, so the protocol code that uses it stays runnable anywhere.

export interface Disposable {
  dispose(): void;
}

export type Event<T> = (listener: (event: T) => void) => Disposable;

export class Emitter<T> {
  private listeners: Array<(event: T) => void> = [];

  readonly event: Event<T> = (listener) => {
    this.listeners.push(listener);
    return {
      dispose: () => {
        this.listeners = this.listeners.filter((l) => l !== listener);
      },
    };
  };

  get hasListeners(): boolean {
    return this.listeners.length > 0;
  }

  fire(event: T): void {
    // A copy, because a listener may dispose itself (or others) while we iterate.
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        // A throwing listener must not corrupt the emitter's owner (e.g. leave a reply
        // half-processed); report it as an uncaught error instead of swallowing it.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  dispose(): void {
    this.listeners = [];
  }
}
