import type { LogFact } from './log-event.document';
import {
  DEACTIVATE_EVENT,
  DELETE_EVENT,
  FAILURE,
  MFA_EVENT,
  SIGN_IN_EVENT,
  SUCCESS,
} from './log-rules';
import { findSignIns, MfaMatch, MsWindow, TimedLogFact } from './sign-in-mfa';

/**
 * What the evidence reads of the System Log, folded: figures of the sign-in
 * window plus the latest sign-in per actor and latest deactivation and
 * deletion per user over every fact given. Its size grows with the number of actors, never
 * with the number of facts, and two parts of disjoint facts add up
 * (`addFigures`), which is what lets evidence fold the window a day at a time.
 */
export interface LogFigures {
  totals: SignInTotals;
  actors: Map<string, ActorSignIns>;
  /** Latest successful (or outcome-less) user.lifecycle.deactivate per target user. */
  deactivations: Map<string, LatestFact>;
  /** Latest successful (or outcome-less) user.lifecycle.delete.completed per target user. */
  deletions: Map<string, DeletionFact>;
}

/** Figures of the sign-in window. */
export interface SignInTotals {
  successful: number;
  withMfaBy: Record<MfaMatch, number>;
  failed: number;
  mfaVerifications: number;
}

export interface ActorSignIns {
  signIns: number;
  withMfa: number;
  withoutMfa: number;
  failed: number;
  /** Latest successful sign-in of the actor over every fact given (any age). */
  lastSignIn: LatestFact | null;
}

/** A fact's place in the log order the rules use: time, then uuid (unique once deduped). */
export interface LatestFact {
  at: number;
  uuid: string;
  published: string;
}

/** A deletion event: its place in the log order and who deleted. */
export interface DeletionFact extends LatestFact {
  actorId: string | null;
}

/** A window that holds every fact (rollups count every sign-in of their day). */
export const ALL_TIME: MsWindow = { startMs: -Infinity, endMs: Infinity };

/** An actor seen, with nothing counted yet. */
export const NO_SIGN_INS: ActorSignIns = {
  signIns: 0,
  withMfa: 0,
  withoutMfa: 0,
  failed: 0,
  lastSignIn: null,
};

export function emptyTotals(): SignInTotals {
  return {
    successful: 0,
    withMfaBy: { session: 0, time: 0, transaction: 0 },
    failed: 0,
    mfaVerifications: 0,
  };
}

export function emptyFigures(): LogFigures {
  return {
    totals: emptyTotals(),
    actors: new Map(),
    deactivations: new Map(),
    deletions: new Map(),
  };
}

const isLater = (a: LatestFact, b: LatestFact | null | undefined): boolean =>
  !b || a.at > b.at || (a.at === b.at && a.uuid > b.uuid);

export const latestOf = (e: TimedLogFact): LatestFact => ({
  at: e.at,
  uuid: e.uuid,
  published: e.published,
});

function actorOf(figures: LogFigures, actorId: string): ActorSignIns {
  let actor = figures.actors.get(actorId);
  if (!actor) {
    actor = { signIns: 0, withMfa: 0, withoutMfa: 0, failed: 0, lastSignIn: null };
    figures.actors.set(actorId, actor);
  }
  return actor;
}

export function addTotals(into: SignInTotals, part: SignInTotals): void {
  into.successful += part.successful;
  into.withMfaBy.session += part.withMfaBy.session;
  into.withMfaBy.time += part.withMfaBy.time;
  into.withMfaBy.transaction += part.withMfaBy.transaction;
  into.failed += part.failed;
  into.mfaVerifications += part.mfaVerifications;
}

export function addActor(figures: LogFigures, actorId: string, part: ActorSignIns): void {
  const actor = actorOf(figures, actorId);
  actor.signIns += part.signIns;
  actor.withMfa += part.withMfa;
  actor.withoutMfa += part.withoutMfa;
  actor.failed += part.failed;
  if (part.lastSignIn && isLater(part.lastSignIn, actor.lastSignIn))
    actor.lastSignIn = part.lastSignIn;
}

export function addDeactivation(figures: LogFigures, targetId: string, fact: LatestFact): void {
  if (isLater(fact, figures.deactivations.get(targetId))) figures.deactivations.set(targetId, fact);
}

export function addDeletion(figures: LogFigures, targetId: string, fact: DeletionFact): void {
  if (isLater(fact, figures.deletions.get(targetId))) figures.deletions.set(targetId, fact);
}

/** Adds the figures of disjoint facts. */
export function addFigures(into: LogFigures, part: LogFigures): void {
  addTotals(into.totals, part.totals);
  for (const [actorId, actor] of part.actors) addActor(into, actorId, actor);
  for (const [targetId, fact] of part.deactivations) addDeactivation(into, targetId, fact);
  for (const [targetId, fact] of part.deletions) addDeletion(into, targetId, fact);
}

/** Orders copies of one uuid that differ, so the kept copy never depends on input order. */
function factKey(e: LogFact): string {
  return JSON.stringify([
    e.published,
    e.eventType,
    e.actorId,
    e.outcome,
    e.targetIds,
    e.sessionId ?? null,
    e.transactionId ?? null,
  ]);
}

/**
 * The facts published at or before `untilMs` with a parseable time, in log
 * order (time, uuid), each uuid once (the earliest copy wins).
 */
export function timedFacts(events: Iterable<LogFact>, untilMs: number): TimedLogFact[] {
  const timed: TimedLogFact[] = [];
  for (const event of events) {
    const at = Date.parse(event.published);
    // Events after asOf belong to the next evidence, not this one.
    if (Number.isNaN(at) || at > untilMs) continue;
    timed.push({ ...event, at });
  }
  timed.sort(
    (a, b) =>
      a.at - b.at ||
      (a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0) ||
      (factKey(a) < factKey(b) ? -1 : factKey(a) > factKey(b) ? 1 : 0),
  );
  const seen = new Set<string>();
  return timed.filter((e) => !seen.has(e.uuid) && (seen.add(e.uuid), true));
}

const inWindow = (ms: number, window: MsWindow): boolean =>
  ms >= window.startMs && ms <= window.endMs;

/**
 * The figures of the facts that `own` accepts, from time-ordered, deduped
 * logs. `logs` may hold other facts (neighbouring days) that the MFA matching
 * of the owned sign-ins needs; they add no figure of their own.
 */
export function figuresOfLogs(
  logs: TimedLogFact[],
  window: MsWindow,
  own: (e: TimedLogFact) => boolean = () => true,
): LogFigures {
  const figures = emptyFigures();
  const { totals } = figures;
  for (const s of findSignIns(logs, window)) {
    if (!own(s.event)) continue;
    totals.successful++;
    if (s.mfa) totals.withMfaBy[s.mfa]++;
    if (!s.event.actorId) continue;
    const actor = actorOf(figures, s.event.actorId);
    actor.signIns++;
    if (s.mfa) actor.withMfa++;
    else actor.withoutMfa++;
  }
  for (const e of logs) {
    if (!own(e)) continue;
    if (e.eventType === SIGN_IN_EVENT && e.outcome === SUCCESS) {
      if (e.actorId) addActor(figures, e.actorId, { ...NO_SIGN_INS, lastSignIn: latestOf(e) });
    } else if (e.eventType === SIGN_IN_EVENT && e.outcome === FAILURE) {
      if (!inWindow(e.at, window)) continue;
      totals.failed++;
      if (e.actorId) actorOf(figures, e.actorId).failed++;
    } else if (e.eventType === MFA_EVENT && e.outcome === SUCCESS) {
      if (inWindow(e.at, window)) totals.mfaVerifications++;
    } else if (e.eventType === DEACTIVATE_EVENT && (e.outcome === null || e.outcome === SUCCESS)) {
      // Lifecycle events report SUCCESS; a missing outcome is not a failure.
      for (const id of e.targetIds) addDeactivation(figures, id, latestOf(e));
    } else if (e.eventType === DELETE_EVENT && (e.outcome === null || e.outcome === SUCCESS)) {
      for (const id of e.targetIds)
        addDeletion(figures, id, { ...latestOf(e), actorId: e.actorId });
    }
  }
  return figures;
}
