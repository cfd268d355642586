import { Injectable } from '@nestjs/common';
import type { ChangeEvent } from '@regentra/contracts';
import type { MaterializedSync } from '../directory/identity.projection';
import { LogFactsReader } from '../log-facts/log-facts.reader';
import { changeEventsOf, explanationQueryOf, explanationWindow } from './change-events';

/**
 * The `okta.changes.v1` records of an applied sync: its measured changes,
 * each with the System Log event the projector's log facts hold for it.
 */
@Injectable()
export class ChangeEventsService {
  constructor(private readonly logFacts: LogFactsReader) {}

  async eventsOf(sync: MaterializedSync): Promise<ChangeEvent[]> {
    const { changes } = sync;
    if (!changes || changes.items.length === 0) return [];
    const explanations = await this.logFacts.latestMatching(
      sync.orgId,
      changes.items.map(explanationQueryOf),
      explanationWindow(changes.previousStartedAt, sync.completedAt),
    );
    return changeEventsOf(sync, changes, explanations);
  }
}
