import { Injectable } from '@nestjs/common';
import type { LogFact } from './log-event.document';
import type { LogDayDocument } from './log-day.document';
import { nextDay } from './log-day.rollup';
import { LogDaysRepository } from './log-days.repository';
import { LogEventsRepository } from './log-events.repository';
import { FoldedLogs, foldLogWindow, LogDaySource, LogWindow } from './log-window.fold';

/**
 * What other slices may read of the System Log facts: the window folded as
 * of a time, read a day at a time (there is no way to read the window's facts).
 */
@Injectable()
export class LogFactsReader implements LogDaySource {
  constructor(
    private readonly events: LogEventsRepository,
    private readonly days: LogDaysRepository,
  ) {}

  /** The figures of the facts published in (asOf − lookback, asOf]. */
  foldedAsOf(orgId: string, asOf: string, window: LogWindow): Promise<FoldedLogs> {
    return foldLogWindow(this, orgId, asOf, window);
  }

  rollup(orgId: string, day: string): Promise<LogDayDocument | null> {
    return this.days.get(orgId, day);
  }

  dayFacts(orgId: string, day: string, linkedUuids: string[]): Promise<LogFact[]> {
    return this.events.ofDay(orgId, day, nextDay(day), linkedUuids);
  }
}
