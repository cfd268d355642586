import { Injectable } from '@nestjs/common';
import { eventTypesOf, FactQuery, FactWindow, latestMatching } from './fact-match';
import type { LogFact } from './log-event.document';
import type { LogDayDocument, LogDayPageDocument } from './log-day.document';
import { linkedFactsOf, nextDay } from './log-day.rollup';
import { LogDaysRepository } from './log-days.repository';
import { LogDaysWriter } from './log-days.writer';
import { LogEventsRepository } from './log-events.repository';
import { judgeLogCoverage, SystemLogCoverage } from './log-coverage';
import { LogPollsRepository } from './log-polls.repository';
import { FoldedLogs, foldLogWindow, LogDaySource, LogWindow } from './log-window.fold';

/**
 * What other slices may read of the System Log facts: the window folded as
 * of a time, read a day at a time (there is no way to read the window's facts).
 */
@Injectable()
export class LogFactsReader implements LogDaySource {
  /** Days of raw facts read (rather than a rollup), since start: the fold's slow path. */
  rawDayReads = 0;

  constructor(
    private readonly events: LogEventsRepository,
    private readonly days: LogDaysRepository,
    private readonly writer: LogDaysWriter,
    private readonly polls: LogPollsRepository,
  ) {}

  /** What the polls with an outcome at or before `at` read, judged at `at`. */
  async coverageAt(orgId: string, at: string, staleAfterHours: number): Promise<SystemLogCoverage> {
    return judgeLogCoverage(await this.polls.coverageInput(orgId, at), at, staleAfterHours);
  }

  /** The figures of the facts published in (asOf − lookback, asOf]. */
  /** Dirty days are rolled up first, so the fold never reads a stale rollup. */
  async foldedAsOf(orgId: string, asOf: string, window: LogWindow): Promise<FoldedLogs> {
    await this.writer.rollUpDirty(orgId);
    return foldLogWindow(this, orgId, asOf, window);
  }

  /**
   * For each query (null: none wanted), the latest successful fact in the
   * window of a wanted type naming every wanted target, or null.
   */
  async latestMatching(
    orgId: string,
    queries: ReadonlyArray<FactQuery | null>,
    window: FactWindow,
  ): Promise<Array<LogFact | null>> {
    const types = eventTypesOf(queries);
    if (types.length === 0) return queries.map(() => null);
    // A second of slack around the stored strings; the exact window is applied to parsed times.
    const widen = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();
    const facts = await this.events.ofTypesBetween(
      orgId,
      types,
      window.after === null ? null : widen(window.after, -1_000),
      widen(window.through, 1_000),
    );
    return latestMatching(facts, queries, window);
  }

  rollupsComplete(orgId: string): Promise<boolean> {
    return this.writer.rollupsCurrent(orgId);
  }

  rollupsBetween(
    orgId: string,
    fromDay: string,
    throughDay: string,
  ): AsyncIterable<LogDayDocument> {
    return this.days.between(orgId, fromDay, throughDay);
  }

  rollupPage(_orgId: string, pageId: string): Promise<LogDayPageDocument | null> {
    return this.days.page(pageId);
  }

  dayFacts(orgId: string, day: string, linkedUuids: string[]): Promise<LogFact[]> {
    this.rawDayReads += 1;
    return this.events.ofDay(orgId, day, nextDay(day), linkedUuids);
  }

  factDays(orgId: string, fromDay: string, throughDay: string): Promise<string[]> {
    return this.events.daysOf(orgId, fromDay, nextDay(throughDay));
  }

  async unrolledDayFacts(orgId: string, day: string): Promise<LogFact[]> {
    this.rawDayReads += 1;
    const dayFacts = await this.events.ofDay(orgId, day, nextDay(day));
    if (dayFacts.length === 0) return [];
    const linked = await linkedFactsOf(day, dayFacts, (q) => this.events.neighbours(orgId, q));
    return [...dayFacts, ...linked];
  }
}
