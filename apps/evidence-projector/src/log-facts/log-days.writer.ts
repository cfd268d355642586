import { Injectable } from '@nestjs/common';
import type { LogEventDocument } from './log-event.document';
import { dayOf, linkedFactsOf, nextDay, rollupOf } from './log-day.rollup';
import { LogDaysRepository } from './log-days.repository';
import { LogEventsRepository } from './log-events.repository';
import { timedFacts } from './log-figures';
import { SIGN_IN_EVENT } from './log-rules';
import { componentsOf, FindNeighbours } from './sign-in-components';

/**
 * Keeps `okta_log_days` up to date with `okta_log_events`: after facts are
 * written, rewrites the rollup of every day whose rollup they change — their
 * own days, and the days of the sign-ins in the MFA components they joined
 * (a verification at 00:01 changes yesterday's 23:58 sign-in; one in a long
 * session changes the day the session started). Each day is recomputed from
 * its stored facts, so writing the same facts again gives the same rollups.
 */
@Injectable()
export class LogDaysWriter {
  constructor(
    private readonly events: LogEventsRepository,
    private readonly days: LogDaysRepository,
  ) {}

  /** Rewrites the rollups `facts` (already stored) touch. */
  async afterWrite(orgId: string, facts: LogEventDocument[]): Promise<void> {
    if (facts.length === 0) return;
    const find: FindNeighbours = (q) => this.events.neighbours(orgId, q);
    const touched = new Set(facts.map((f) => dayOf(f.published)));
    const linked = await componentsOf(timedFacts(facts, Infinity), [], find);
    for (const f of linked.values())
      if (f.eventType === SIGN_IN_EVENT) touched.add(dayOf(f.published));
    for (const day of [...touched].sort()) await this.rollUp(orgId, day, find);
  }

  /** One day: at most the day's facts and those linked to its sign-ins in memory. */
  private async rollUp(orgId: string, day: string, find: FindNeighbours): Promise<void> {
    const dayFacts = await this.events.ofDay(orgId, day, nextDay(day));
    if (dayFacts.length === 0) return;
    const linked = await linkedFactsOf(day, dayFacts, find);
    await this.days.put(rollupOf(orgId, day, dayFacts, linked));
  }
}
