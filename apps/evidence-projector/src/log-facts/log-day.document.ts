import type { ActorSignIns, DeletionFact, LatestFact, SignInTotals } from './log-figures';

/**
 * ★ An `okta_log_days` document: one org's System Log facts of one UTC day
 * (`published` starting with `day`), rolled up. Rewritten whole from the
 * day's facts whenever a batch touches the day or the MFA components of its
 * sign-ins, so it is a pure function of the facts stored (no counters, no
 * times of writing). The sign-in figures count every sign-in of the day as in
 * the window, matched against every stored fact; `linked` says which facts of
 * other days that matching read, so a reader knows when the figures hold for
 * its asOf.
 */
export interface LogDayDocument {
  /** `${orgId}|${day}` */
  _id: string;
  orgId: string;
  /** YYYY-MM-DD (UTC). */
  day: string;
  /** Earliest and latest parseable `published` of the day, in ms (null: none). */
  minAt: number | null;
  maxAt: number | null;
  /** Greatest `published` of the day (the evidence's `logsThrough`). */
  maxPublished: string;
  totals: SignInTotals;
  /** Per actor, sorted by actor id. */
  actors: Array<ActorSignIns & { actorId: string }>;
  /** Per target user, sorted by user id. */
  deactivations: Array<LatestFact & { targetId: string }>;
  /** Per target user, sorted by user id (since rollup recipe 2). */
  deletions: Array<DeletionFact & { targetId: string }>;
  /** Facts of other days in the MFA components of the day's sign-ins. */
  linked: { uuids: string[]; minAt: number; maxAt: number } | null;
}
