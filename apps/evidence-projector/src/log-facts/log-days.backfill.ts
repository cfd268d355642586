import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { nextDay } from './log-day.rollup';
import { LogDaysWriter } from './log-days.writer';
import { LogEventsRepository } from './log-events.repository';
import { LogRollupMarksRepository } from './log-rollup-marks.repository';
import { backfillAfter } from './log-rollups.mark';

export interface BackfillReport {
  /** Orgs whose rollups were rebuilt and marked complete. */
  orgs: string[];
  days: number;
  /** Stopped (shutdown) before every org was done. */
  stopped: boolean;
}

/**
 * Builds the rollups of facts written before rollups existed (or under an
 * older recipe): at start-up, in the background, every org with facts but no
 * complete mark is rebuilt one day at a time with the live writer's own
 * recompute, its progress recorded after each day (a restart resumes), then
 * marked complete — from then on evidence reads its rollups. Until then the
 * fold reads that org's raw facts, so evidence is right meanwhile. Stops
 * between two days on shutdown.
 */
@Injectable()
export class LogDaysBackfill implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(LogDaysBackfill.name);
  private stopped = false;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly events: LogEventsRepository,
    private readonly marks: LogRollupMarksRepository,
    private readonly writer: LogDaysWriter,
  ) {}

  onApplicationBootstrap(): void {
    this.running = this.run().then(
      (report) => {
        if (report.orgs.length || report.stopped)
          this.logger.log({ ...report, msg: 'System Log rollups backfilled' });
      },
      (error: unknown) =>
        this.logger.warn({
          err: String(error),
          msg: 'System Log rollup backfill stopped; evidence reads raw facts for the orgs left, next start resumes',
        }),
    );
  }

  /** Before the Mongo client closes: lets the current day finish, starts no other. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  /** Rebuilds every org that needs it, one org and one day at a time. */
  async run(): Promise<BackfillReport> {
    const report: BackfillReport = { orgs: [], days: 0, stopped: false };
    for (const orgId of await this.events.orgIds()) {
      if (this.stopped) break;
      const after = backfillAfter(await this.marks.get(orgId));
      if (after === null) continue;
      for (const day of await this.events.daysOf(orgId, after ? nextDay(after) : '')) {
        if (this.stopped) break;
        await this.writer.rebuildDay(orgId, day);
        await this.writer.markRebuiltThrough(orgId, day);
        report.days += 1;
      }
      if (this.stopped) break;
      await this.writer.markComplete(orgId);
      report.orgs.push(orgId);
    }
    report.stopped = this.stopped;
    return report;
  }
}
