import type { LogFact } from './log-event.document';
import type { LogDayDocument, LogDayPageDocument } from './log-day.document';
import { entriesOf, LogDayPagesChanged } from './log-day.pages';
import { addRollupActors, DAY_MS, dayOf } from './log-day.rollup';
import {
  addDeactivation,
  addDeletion,
  addFigures,
  addTotals,
  emptyFigures,
  figuresOfLogs,
  LogFigures,
  timedFacts,
} from './log-figures';
import type { MsWindow } from './sign-in-mfa';

/**
 * Per-day access to the System Log of one org: the only access the fold
 * has, so it never holds more than a day of facts (plus the few facts of
 * other days linked to that day's sign-ins).
 */
export interface LogDaySource {
  /**
   * Whether the org's rollups are complete under the current recipe (its
   * mark): when not (facts written before rollups existed, or a recipe
   * changed, until the backfill reaches the org), no rollup is read.
   */
  rollupsComplete(orgId: string): Promise<boolean>;
  /**
   * The heads of the UTC days from `fromDay` through `throughDay` that have a
   * rollup, in day order (a day without stored facts has none).
   */
  rollupsBetween(orgId: string, fromDay: string, throughDay: string): AsyncIterable<LogDayDocument>;
  /** One page a paged head names, or null when it is gone (the day was rewritten since). */
  rollupPage(orgId: string, pageId: string): Promise<LogDayPageDocument | null>;
  /** The stored facts of one UTC day, and the facts with the given uuids (of other days). */
  dayFacts(orgId: string, day: string, linkedUuids: string[]): Promise<LogFact[]>;
  /**
   * Without a rollup: the stored facts of one UTC day and the facts of other
   * days in the MFA components of its sign-ins (what `linked` names), found
   * from the facts; empty when the day has none.
   */
  unrolledDayFacts(orgId: string, day: string): Promise<LogFact[]>;
  /** The UTC days in [fromDay, throughDay] on which the org has facts, sorted. */
  factDays(orgId: string, fromDay: string, throughDay: string): Promise<string[]>;
}

export interface LogWindow {
  /** Facts published in (asOf − lookbackDays, asOf] are read. */
  lookbackDays: number;
  /** Sign-in figures cover [asOf − signInDays, asOf]. */
  signInDays: number;
}

/** Folds restarted when a day was rewritten under them, at most (then the error is thrown). */
const FOLD_TRIES = 3;

export interface FoldedLogs {
  figures: LogFigures;
  /** Greatest `published` read, null when none. */
  logsThrough: string | null;
}

/**
 * The System Log figures as of `asOf`, identical to folding every fact
 * published in (asOf − lookback, asOf] at once (`figuresOfLogs`), read a day
 * at a time. A day's rollup is used when the cut leaves the day whole — the
 * whole day visible, and its sign-ins and the facts linked to them either all
 * in the sign-in window or the day entirely before it; otherwise (the days of
 * the window's edges, and a day whose MFA components reach across an edge)
 * the day's own facts are read and matched with their linked facts under the
 * exact cut. An org whose rollups are not complete has every day read that
 * way (slower, same figures). Memory: the figures (per actor) plus one page
 * of a rollup, or one day of facts where the day is read raw.
 *
 * A paged rollup's pages are added to the figures as they are read; when one
 * is gone (another instance rewrote the day and deleted the generation this
 * fold was reading), the figures so far are dropped and the fold starts over.
 */
export async function foldLogWindow(
  source: LogDaySource,
  orgId: string,
  asOf: string,
  window: LogWindow,
): Promise<FoldedLogs> {
  for (let tries = 1; ; tries++) {
    try {
      return await foldOnce(source, orgId, asOf, window);
    } catch (error) {
      if (!(error instanceof LogDayPagesChanged) || tries >= FOLD_TRIES) throw error;
    }
  }
}

async function foldOnce(
  source: LogDaySource,
  orgId: string,
  asOf: string,
  window: LogWindow,
): Promise<FoldedLogs> {
  const asOfMs = Date.parse(asOf);
  const from = new Date(asOfMs - window.lookbackDays * DAY_MS).toISOString();
  const signIns: MsWindow = { startMs: asOfMs - window.signInDays * DAY_MS, endMs: asOfMs };
  const firstDay = dayOf(from);
  const lastDay = dayOf(asOf);
  const figures = emptyFigures();
  let logsThrough: string | null = null;
  const saw = (published: string) => {
    if (logsThrough === null || published > logsThrough) logsThrough = published;
  };
  /** A day's own facts, and those linked to its sign-ins, under the exact cut. */
  const addRawDay = (facts: LogFact[], day: string) => {
    // The old query's cut: published in (from, asOf] as strings, then parsed ≤ asOf.
    const visible = facts.filter((e) => e.published > from && e.published <= asOf);
    const own = (e: LogFact) => dayOf(e.published) === day;
    for (const e of visible) if (own(e)) saw(e.published);
    addFigures(figures, figuresOfLogs(timedFacts(visible, asOfMs), signIns, own));
  };
  if (!(await source.rollupsComplete(orgId))) {
    for (const day of await source.factDays(orgId, firstDay, lastDay))
      addRawDay(await source.unrolledDayFacts(orgId, day), day);
    return { figures, logsThrough };
  }
  const readPage = (pageId: string) => source.rollupPage(orgId, pageId);
  /** A whole day from its rollup, a page at a time. */
  const addRollup = async (doc: LogDayDocument, withWindow: boolean) => {
    if (withWindow) addTotals(figures.totals, doc.totals);
    for await (const actors of entriesOf(doc, 'actors', readPage))
      addRollupActors(figures, actors, withWindow);
    for await (const deactivations of entriesOf(doc, 'deactivations', readPage))
      for (const { targetId, ...d } of deactivations) addDeactivation(figures, targetId, d);
    for await (const deletions of entriesOf(doc, 'deletions', readPage))
      for (const { targetId, ...d } of deletions) addDeletion(figures, targetId, d);
    saw(doc.maxPublished);
  };
  for await (const doc of source.rollupsBetween(orgId, firstDay, lastDay)) {
    const { day } = doc;
    const whole = day > firstDay && day < lastDay && (doc.maxAt === null || doc.maxAt <= asOfMs);
    const beforeWindow = doc.maxAt === null || doc.maxAt < signIns.startMs;
    const inWindow =
      doc.minAt !== null &&
      doc.minAt >= signIns.startMs &&
      (doc.linked === null || (doc.linked.minAt >= signIns.startMs && doc.linked.maxAt <= asOfMs));
    if (whole && (beforeWindow || inWindow)) {
      await addRollup(doc, !beforeWindow);
      continue;
    }
    const linked: string[] = [];
    for await (const uuids of entriesOf(doc, 'linked', readPage))
      for (const u of uuids) linked.push(u);
    addRawDay(await source.dayFacts(orgId, day, linked), day);
  }
  return { figures, logsThrough };
}
