import type { ActorSignIns, DeletionFact, LatestFact, SignInTotals } from './log-figures';

/** One actor's figures of one day. */
export type ActorEntry = ActorSignIns & { actorId: string };
/** One target user's latest deactivation of one day. */
export type DeactivationEntry = LatestFact & { targetId: string };
/** One target user's latest deletion (`user.lifecycle.delete.completed`) of one day. */
export type DeletionEntry = DeletionFact & { targetId: string };

/** The lists of a day's rollup that grow with the org (per actor, per user, per linked fact). */
export interface LogDayLists {
  /** Per actor, sorted by actor id. */
  actors: ActorEntry[];
  /** Per target user, sorted by user id. */
  deactivations: DeactivationEntry[];
  /** Per target user, sorted by user id (since rollup recipe 2). */
  deletions: DeletionEntry[];
  /** The uuids of the facts of other days linked to the day's sign-ins, sorted. */
  linked: string[];
}
export type LogDayList = keyof LogDayLists;
export const LOG_DAY_LISTS: readonly LogDayList[] = [
  'actors',
  'deactivations',
  'deletions',
  'linked',
];

/**
 * One org's System Log facts of one UTC day (`published` starting with
 * `day`), rolled up, whole (in memory: what `rollupOf` computes). It is a pure
 * function of the facts stored (no counters, no times of writing). The
 * sign-in figures count every sign-in of the day as in the window, matched
 * against every stored fact; `linked` says which facts of other days that
 * matching read, so a reader knows when the figures hold for its asOf.
 * Stored as a `LogDayDocument` plus, for a large day, `LogDayPageDocument`s.
 */
export interface LogDayRollup {
  orgId: string;
  /** YYYY-MM-DD (UTC). */
  day: string;
  /** Earliest and latest parseable `published` of the day, in ms (null: none). */
  minAt: number | null;
  maxAt: number | null;
  /** Greatest `published` of the day (the evidence's `logsThrough`). */
  maxPublished: string;
  totals: SignInTotals;
  actors: ActorEntry[];
  deactivations: DeactivationEntry[];
  deletions: DeletionEntry[];
  /** Facts of other days in the MFA components of the day's sign-ins. */
  linked: { uuids: string[]; minAt: number; maxAt: number } | null;
}

/** Where a paged day's lists are: `generation` names one complete write, then pages per list. */
export interface LogDayPagesRef {
  generation: string;
  actors: number;
  deactivations: number;
  /** Absent in heads paged before deletions were rolled up: none. */
  deletions?: number;
  linked: number;
}

/**
 * An `okta_log_days` document: the head of one day's rollup (`LogDayRollup`),
 * rewritten whenever a batch touches the day or the MFA components of its
 * sign-ins. Its size does not grow with the org: the lists are either inline
 * (`actors`, `deactivations`, `linked.uuids`), when together they fit one
 * page budget (LOG_DAY_PAGE_BYTES), or in `okta_log_day_pages` under
 * `pages.generation` (`pages` set, the inline lists absent).
 *
 * Documents written before the paging (every list inline, no `digest`) have
 * the inline shape and are read as such, so they need no migration; the next
 * rewrite of their day gives it the new shape.
 */
export interface LogDayDocument {
  /** `${orgId}|${day}` */
  _id: string;
  orgId: string;
  day: string;
  minAt: number | null;
  maxAt: number | null;
  maxPublished: string;
  totals: SignInTotals;
  /** Inline lists (absent when paged). */
  actors?: ActorEntry[];
  deactivations?: DeactivationEntry[];
  deletions?: DeletionEntry[];
  /** `uuids` inline, absent when paged. */
  linked: { uuids?: string[]; minAt: number; maxAt: number } | null;
  /** Paged lists (absent when inline). */
  pages?: LogDayPagesRef;
  /**
   * SHA-256 of the rollup's content (`digestOf`): the same facts written
   * again rewrite nothing. Absent in heads written before paging.
   */
  digest?: string;
}

/**
 * An `okta_log_day_pages` document: one page of one list of one generation of
 * a day's rollup. Pages are only ever inserted under a new generation, never
 * rewritten; a generation's pages are deleted once its head is replaced.
 */
export interface LogDayPageDocument<L extends LogDayList = LogDayList> {
  /** `${orgId}|${day}|${generation}|${list}|${page}` */
  _id: string;
  orgId: string;
  day: string;
  generation: string;
  list: L;
  page: number;
  entries: LogDayLists[L];
}
