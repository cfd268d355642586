import type { RunContext, RunOutcome } from '../identity-sync/identity-sync.service';

/** Port of the System Log poller, so the coordinator serializes it with identity syncs. */
export const SYSTEM_LOG_RUNNER = Symbol('SYSTEM_LOG_RUNNER');
export interface SystemLogRunner {
  run(ctx: RunContext): Promise<RunOutcome>;
}
