/** ★ An `okta_log_events` document: the facts of one System Log event that the controls read. */
export interface LogEventDocument {
  /** `${orgId}|${uuid}`: the uuid dedupes a redelivered event. */
  _id: string;
  orgId: string;
  uuid: string;
  published: string;
  eventType: string;
  actorId: string | null;
  /** `outcome.result`: SUCCESS, FAILURE, … */
  outcome: string | null;
  targetIds: string[];
  /**
   * `authenticationContext.externalSessionId` (optional refinement: lets a
   * sign-in be matched to its MFA verification exactly). `unknown` is ignored.
   * Always written (null when absent); optional for hand-built evidence inputs.
   */
  sessionId?: string | null;
  /** `transaction.id` (optional refinement, same purpose). */
  transactionId?: string | null;
  displayMessage: string | null;
}

/** One System Log event, reduced to what the evidence rules read. */
export type LogFact = Omit<LogEventDocument, '_id' | 'orgId' | 'displayMessage'>;
