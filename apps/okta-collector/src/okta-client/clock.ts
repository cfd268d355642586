import { performance } from 'node:perf_hooks';

/** Time source; injectable for tests. */
export interface Clock {
  /** Monotonic milliseconds (never jumps with wall-clock changes). */
  now(): number;
  /** Wall-clock epoch milliseconds (only used when a response has no `Date` header). */
  wallNow(): number;
}

/** Sleeps `ms`; rejects when `signal` aborts. Injectable for tests. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const systemClock: Clock = {
  now: () => performance.now(),
  wallNow: () => Date.now(),
};

export class AbortedError extends Error {
  constructor(message = 'Okta client closed') {
    super(message);
    this.name = 'AbortedError';
  }
}

export const realSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AbortedError());
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortedError());
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
