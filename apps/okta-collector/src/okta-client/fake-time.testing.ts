import type { Clock, Sleep } from './clock';
import { AbortedError } from './clock';

/** Test-only manual clock: `sleep` registers a timer, `advance` fires due timers in order. */
export class FakeTime {
  t = 0;
  wallBase = 1_700_000_000_000;
  private timers: Array<{ at: number; resolve: () => void }> = [];
  readonly sleeps: number[] = [];

  readonly clock: Clock = {
    now: () => this.t,
    wallNow: () => this.wallBase + this.t,
  };

  readonly sleep: Sleep = (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(new AbortedError());
      this.sleeps.push(ms);
      const timer = { at: this.t + Math.max(0, ms), resolve };
      this.timers.push(timer);
      signal?.addEventListener('abort', () => {
        this.timers = this.timers.filter((x) => x !== timer);
        reject(new AbortedError());
      });
    });

  get pendingTimers(): number {
    return this.timers.length;
  }

  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    await flush();
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > target) break;
      this.timers.shift();
      this.t = Math.max(this.t, next.at);
      next.resolve();
      await flush();
    }
    this.t = target;
    await flush();
  }
}

/**
 * Virtual time for tests that talk to a real server: `sleep` jumps the clock
 * forward instead of waiting (returns on the next macrotask).
 */
export class WarpTime {
  t = 0;
  readonly sleeps: number[] = [];
  readonly clock: Clock = { now: () => this.t, wallNow: () => Date.now() };
  readonly sleep: Sleep = (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(new AbortedError());
      this.sleeps.push(ms);
      this.t += Math.max(0, ms);
      setImmediate(resolve);
    });
}

export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}
