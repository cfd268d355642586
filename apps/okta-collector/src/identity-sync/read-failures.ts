import { oversizedReason, OversizedItem } from '@regentra/contracts';
import {
  OktaApiError,
  OktaCredentialsInvalidError,
  OktaRateLimitWaitTooLongError,
} from '../okta-client/okta-errors';

/** Stops the whole sync: a 401 anywhere, or a whole list that cannot be read. */
export class SyncAbortedError extends Error {
  constructor(
    readonly dataset: string,
    readonly failure: unknown,
  ) {
    super(
      `${dataset} could not be read: ${failure instanceof Error ? failure.message : String(failure)}`,
    );
  }
}

/** One object of a sub-list cannot fit any record: that sub-list is unknown, with this reason. */
export class OversizedItemError extends Error {
  constructor(found: Pick<OversizedItem<unknown>, 'bytes' | 'maxBytes'>) {
    super(oversizedReason(found.bytes, found.maxBytes));
    this.name = 'OversizedItemError';
  }
}

/** Failures that make one sub-resource unknown instead of ending the sync. */
export function isSubResourceFailure(error: unknown): boolean {
  return (
    error instanceof OktaApiError &&
    !(error instanceof OktaCredentialsInvalidError) &&
    // a window that resets beyond what a sync may wait stops every later call too
    !(error instanceof OktaRateLimitWaitTooLongError)
  );
}

export function reasonOf(error: unknown): string {
  if (error instanceof OversizedItemError) return error.message;
  if (error instanceof OktaApiError)
    return `${error.name}: HTTP ${error.status ?? '-'} ${error.oktaErrorCode ?? ''}`.trim();
  return error instanceof Error ? error.name : 'unknown error';
}

/** For sub-lists: an item no record can hold makes the whole sub-list unknown. */
export function refuseOversized(found: OversizedItem<unknown>): never {
  throw new OversizedItemError(found);
}
