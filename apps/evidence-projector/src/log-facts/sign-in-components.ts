import type { LogFact } from './log-event.document';
import {
  MFA_EVENT,
  MFA_MATCH_AFTER_MS,
  MFA_MATCH_BEFORE_MS,
  SIGN_IN_EVENT,
  SUCCESS,
} from './log-rules';
import { sessionOf, TimedLogFact, transactionOf } from './sign-in-mfa';

/**
 * The MFA matching (sign-in-mfa.ts) links a successful sign-in and a
 * successful verification of the same actor when the verification is in the
 * sign-in's time range [t − 2 min, t + 5 min] or shares its session or
 * transaction id (at any time). A sign-in's outcome depends only on the facts
 * of its connected component under these links, so the matching run on whole
 * components gives the same outcomes as run on the whole log — which is what
 * lets a day be classified without the window. Components reach across
 * midnight (time ranges) and across days (long sessions).
 */

/** What a store must return (a superset is fine: links are decided here). */
export interface NeighbourQuery {
  actors: string[];
  sessions: string[];
  transactions: string[];
  /** Inclusive ranges of `published` (ISO-8601 UTC, as Okta writes it). */
  ranges: Array<{ from: string; to: string }>;
}
/** Successful sign-ins and verifications of `actors` matching a key or in a range. */
export type FindNeighbours = (query: NeighbourQuery) => Promise<LogFact[]>;

/**
 * The facts a store returns for `q` (`LogEventsRepository.neighbours` asks the
 * database the same), as a filter for facts held in memory.
 */
export function neighbourMatch(q: NeighbourQuery): (f: LogFact) => boolean {
  if (q.actors.length === 0 || q.sessions.length + q.transactions.length + q.ranges.length === 0)
    return () => false;
  const actors = new Set(q.actors);
  const sessions = new Set(q.sessions);
  const transactions = new Set(q.transactions);
  return (f) =>
    f.actorId !== null &&
    actors.has(f.actorId) &&
    f.outcome === SUCCESS &&
    (f.eventType === SIGN_IN_EVENT || f.eventType === MFA_EVENT) &&
    ((f.sessionId != null && sessions.has(f.sessionId)) ||
      (f.transactionId != null && transactions.has(f.transactionId)) ||
      q.ranges.some((r) => f.published >= r.from && f.published <= r.to));
}

const isSignIn = (e: LogFact) => e.eventType === SIGN_IN_EVENT && e.outcome === SUCCESS;
const isMfa = (e: LogFact) => e.eventType === MFA_EVENT && e.outcome === SUCCESS;
/** A fact the matching can link: a successful sign-in or verification with an actor. */
export const isMatchable = (e: LogFact): boolean => !!e.actorId && (isSignIn(e) || isMfa(e));

const iso = (ms: number) => new Date(ms).toISOString();
const keyOf = (actor: string, kind: string, id: string) => `${actor}\u0000${kind}\u0000${id}`;

/** The linked side's time range of a fact: a sign-in's verifications, a verification's sign-ins. */
function rangeOf(e: TimedLogFact): [number, number] {
  return isSignIn(e)
    ? [e.at - MFA_MATCH_BEFORE_MS, e.at + MFA_MATCH_AFTER_MS]
    : [e.at - MFA_MATCH_AFTER_MS, e.at + MFA_MATCH_BEFORE_MS];
}

function mergedRanges(facts: TimedLogFact[]): NeighbourQuery['ranges'] {
  const ranges = facts.map(rangeOf).sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [from, to] of ranges) {
    const last = merged[merged.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else merged.push([from, to]);
  }
  return merged.map(([from, to]) => ({ from: iso(from), to: iso(to) }));
}

/** The frontier, indexed for "is this candidate linked to any of it". */
class Frontier {
  private readonly times = new Map<string, number[]>();
  private readonly keys = new Set<string>();

  constructor(readonly facts: TimedLogFact[]) {
    for (const f of facts) {
      const side = `${f.actorId}\u0000${isSignIn(f) ? 's' : 'm'}`;
      const list = this.times.get(side) ?? [];
      list.push(f.at);
      this.times.set(side, list);
      const session = sessionOf(f);
      const transaction = transactionOf(f);
      if (session) this.keys.add(keyOf(side, 's', session));
      if (transaction) this.keys.add(keyOf(side, 't', transaction));
    }
    for (const list of this.times.values()) list.sort((a, b) => a - b);
  }

  /** Is `c` linked to a frontier fact of the other side? */
  links(c: TimedLogFact): boolean {
    const other = `${c.actorId}\u0000${isSignIn(c) ? 'm' : 's'}`;
    const session = sessionOf(c);
    const transaction = transactionOf(c);
    if (session && this.keys.has(keyOf(other, 's', session))) return true;
    if (transaction && this.keys.has(keyOf(other, 't', transaction))) return true;
    // The frontier fact f links c when c is in f's range, i.e. f is in c's range.
    const [from, to] = rangeOf(c);
    const list = this.times.get(other);
    if (!list) return false;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]! < from) lo = mid + 1;
      else hi = mid;
    }
    return lo < list.length && list[lo]! <= to;
  }

  query(): NeighbourQuery {
    const actors = new Set<string>();
    const sessions = new Set<string>();
    const transactions = new Set<string>();
    for (const f of this.facts) {
      actors.add(f.actorId!);
      const session = sessionOf(f);
      const transaction = transactionOf(f);
      if (session) sessions.add(session);
      if (transaction) transactions.add(transaction);
    }
    return {
      actors: [...actors].sort(),
      sessions: [...sessions].sort(),
      transactions: [...transactions].sort(),
      ranges: mergedRanges(this.facts),
    };
  }
}

/**
 * The components of `seeds`: every matchable fact linked to them, directly or
 * through others. `local` facts (say, the day being rolled up) are searched
 * in memory; `find` searches the rest (the store) and may return local facts
 * again. Each round queries once, for the facts found in the round before.
 */
export async function componentsOf(
  seeds: TimedLogFact[],
  local: TimedLogFact[],
  find: FindNeighbours,
): Promise<Map<string, TimedLogFact>> {
  const members = new Map<string, TimedLogFact>();
  let frontier = seeds.filter(isMatchable);
  for (const f of frontier) members.set(f.uuid, f);
  const localMatchable = local.filter(isMatchable);
  while (frontier.length > 0) {
    const index = new Frontier(frontier);
    const found: TimedLogFact[] = [...localMatchable];
    for (const fact of await find(index.query())) {
      const at = Date.parse(fact.published);
      if (!Number.isNaN(at) && isMatchable(fact)) found.push({ ...fact, at });
    }
    const next: TimedLogFact[] = [];
    for (const c of found) {
      if (members.has(c.uuid) || !index.links(c)) continue;
      members.set(c.uuid, c);
      next.push(c);
    }
    frontier = next;
  }
  return members;
}
