/**
 * Why a run must stop before it is done:
 * - `cancelled`: the org's connection was deleted or replaced (other domain or
 *   token) while the run used it; no further Okta call may use that token.
 * - `shutdown`: this collector instance is stopping; the request is queued
 *   again for another instance (or the next start).
 */
export type StopReason = 'cancelled' | 'shutdown';

export interface StopRequest {
  reason: StopReason;
  message: string;
}

/** What a runner sees of its stop signal. */
export interface RunStop {
  /** The first stop asked for, or null while the run may go on. */
  readonly requested: StopRequest | null;
  /** Called once, when a stop is asked for (at once if it already was). Returns an unsubscribe. */
  onStop(listener: (request: StopRequest) => void): () => void;
}

/** Thrown at the next page boundary (the next publish) of a run asked to stop. */
export class RunStoppedError extends Error {
  constructor(readonly request: StopRequest) {
    super(request.message);
    this.name = 'RunStoppedError';
  }
}

/** One run's stop signal: the coordinator raises it, the runner listens. The first reason wins. */
export class RunStopSignal implements RunStop {
  private current: StopRequest | null = null;
  private readonly listeners = new Set<(request: StopRequest) => void>();

  get requested(): StopRequest | null {
    return this.current;
  }

  stop(reason: StopReason, message: string): void {
    if (this.current) return;
    this.current = { reason, message };
    for (const listener of [...this.listeners]) listener(this.current);
    this.listeners.clear();
  }

  onStop(listener: (request: StopRequest) => void): () => void {
    if (this.current) {
      listener(this.current);
      return () => undefined;
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** Throws RunStoppedError once a stop was asked for. */
export function throwIfStopped(stop: RunStop): void {
  if (stop.requested) throw new RunStoppedError(stop.requested);
}
