import type { FailureReason } from '@regentra/contracts';
import type { ConnectionDoc } from '../connections/connection.types';
import type { RunStop } from './run-stop';

export { RunStoppedError, throwIfStopped } from './run-stop';
export type { RunStop, StopReason, StopRequest } from './run-stop';

/** What the coordinator hands a runner for one run of one org. */
export interface RunContext {
  orgId: string;
  syncId: string;
  requestIds: string[];
  trigger: 'schedule' | 'manual';
  /** A claimed request asked for a full identity sync (`mode: full`). */
  requestedFull: boolean;
  connection: ConnectionDoc;
  /** The instance holding the org's lease (`SyncCoordinator.instanceId`): provenance of the sync. */
  collectorInstance: string;
  /** The org lease's fence: every record of the run carries it (`regentra-fence` header). */
  fence: number;
  leaseStillHeld: () => Promise<boolean>;
  /**
   * Raised when the connection is deleted or replaced (`cancelled`) or the
   * instance shuts down (`shutdown`): the runner closes its Okta client at
   * once (no further call with the token), publishes no more data, and ends
   * with its failed event carrying the reason.
   */
  stop: RunStop;
}

export type RunOutcome =
  | { state: 'completed' }
  | { state: 'failed'; reason: FailureReason | 'lease_lost'; message: string };

/** One kind of run (identity sync, System Log poll) the coordinator serializes per org. */
export interface SyncRunner {
  run(ctx: RunContext): Promise<RunOutcome>;
}

/** DI tokens of the two runners; the runner slices implement them, the module binds them. */
export const IDENTITY_SYNC_RUNNER = Symbol('IDENTITY_SYNC_RUNNER');
export const SYSTEM_LOG_RUNNER = Symbol('SYSTEM_LOG_RUNNER');

/** Thrown when the org lease was taken over: this run must stop publishing. */
export class LeaseLostError extends Error {
  constructor(orgId: string) {
    super(
      `sync lease of ${orgId} was lost (taken over by another instance); stopping without publishing more`,
    );
  }
}
