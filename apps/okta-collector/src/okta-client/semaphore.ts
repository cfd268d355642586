import { AbortedError } from './clock';

/** FIFO counting semaphore. */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  private closed = false;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError('semaphore size must be a positive integer');
  }

  get inUse(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  acquire(): Promise<void> {
    if (this.closed) return Promise.reject(new AbortedError());
    if (this.active < this.size) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next.resolve();
    else this.active = Math.max(0, this.active - 1);
  }

  close(): void {
    this.closed = true;
    for (const w of this.waiting.splice(0)) w.reject(new AbortedError());
  }
}
