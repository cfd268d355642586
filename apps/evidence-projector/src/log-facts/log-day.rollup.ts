import type { LogFact } from './log-event.document';
import type { ActorEntry, LogDayRollup } from './log-day.document';
import {
  addActor,
  ALL_TIME,
  figuresOfLogs,
  LogFigures,
  NO_SIGN_INS,
  timedFacts,
} from './log-figures';
import { componentsOf, FindNeighbours, isMatchable } from './sign-in-components';
import { SIGN_IN_EVENT } from './log-rules';
import type { TimedLogFact } from './sign-in-mfa';

export const DAY_MS = 86_400_000;

/** The UTC day a fact belongs to: the date part of its `published`. */
export const dayOf = (published: string): string => published.slice(0, 10);

/** The day after `day` (YYYY-MM-DD). */
export const nextDay = (day: string): string =>
  new Date(Date.parse(`${day}T00:00:00.000Z`) + DAY_MS).toISOString().slice(0, 10);

const byKey =
  <T>(key: (t: T) => string) =>
  (a: T, b: T) =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

/**
 * The facts of other days that the MFA matching of the day's sign-ins reads:
 * the components of those sign-ins, minus the day itself.
 */
export async function linkedFactsOf(
  day: string,
  dayFacts: LogFact[],
  find: FindNeighbours,
): Promise<TimedLogFact[]> {
  const local = timedFacts(dayFacts, Infinity);
  const seeds = local.filter((e) => isMatchable(e) && e.eventType === SIGN_IN_EVENT);
  const members = await componentsOf(seeds, local, find);
  return [...members.values()].filter((e) => dayOf(e.published) !== day);
}

/** The rollup of one day from its facts and the linked facts of other days (pure). */
export function rollupOf(
  orgId: string,
  day: string,
  dayFacts: LogFact[],
  linked: TimedLogFact[],
): LogDayRollup {
  const own = (e: LogFact) => dayOf(e.published) === day;
  const facts = timedFacts([...dayFacts.filter(own), ...linked], Infinity);
  const figures = figuresOfLogs(facts, ALL_TIME, own);
  // facts are in time order; no Math.min(...all): a large day overflows the argument list
  const ats = facts.filter(own).map((e) => e.at);
  const linkedAts = linked.map((e) => e.at);
  return {
    orgId,
    day,
    minAt: ats[0] ?? null,
    maxAt: ats.at(-1) ?? null,
    maxPublished: dayFacts
      .filter(own)
      .map((e) => e.published)
      .reduce((a, b) => (b > a ? b : a), ''),
    totals: figures.totals,
    actors: [...figures.actors]
      .map(([actorId, a]) => ({ actorId, ...a }))
      .sort(byKey((a) => a.actorId)),
    deactivations: [...figures.deactivations]
      .map(([targetId, d]) => ({ targetId, ...d }))
      .sort(byKey((d) => d.targetId)),
    deletions: [...figures.deletions]
      .map(([targetId, d]) => ({ targetId, ...d }))
      .sort(byKey((d) => d.targetId)),
    linked: linked.length
      ? {
          uuids: linked.map((e) => e.uuid).sort(),
          minAt: linkedAts.reduce((a, b) => Math.min(a, b)),
          maxAt: linkedAts.reduce((a, b) => Math.max(a, b)),
        }
      : null,
  };
}

/**
 * Adds one page of a rollup's actors to the figures. Without the window (a
 * day before the sign-in window) only the last sign-ins count.
 */
export function addRollupActors(
  figures: LogFigures,
  actors: readonly ActorEntry[],
  withWindow: boolean,
): void {
  for (const { actorId, ...a } of actors) {
    if (withWindow) addActor(figures, actorId, a);
    else if (a.lastSignIn) addActor(figures, actorId, { ...NO_SIGN_INS, lastSignIn: a.lastSignIn });
  }
}
