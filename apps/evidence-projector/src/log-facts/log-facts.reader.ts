import { Injectable } from '@nestjs/common';
import type { LogFact } from './log-event.document';
import { LogEventsRepository } from './log-events.repository';

/** What other slices may read of the System Log facts. */
@Injectable()
export class LogFactsReader {
  constructor(private readonly events: LogEventsRepository) {}

  /** Facts published in (from, to], oldest first. */
  publishedBetween(orgId: string, from: string, to: string): Promise<LogFact[]> {
    return this.events.between(orgId, from, to);
  }
}
