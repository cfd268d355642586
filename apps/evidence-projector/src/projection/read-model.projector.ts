import { Injectable } from '@nestjs/common';
import { IdentityEvent, SystemLogEvent } from '@regentra/contracts';
import { Positioned, ProjectionHandler } from '../consumption/projection-handler';
import { IdentityProjection } from '../identity-projection/identity.projection';
import { IntegrationStatusWriter } from '../integration-status/integration-status.writer';
import { SystemLogProjection } from '../system-log-projection/system-log.projection';

/**
 * Routes decoded batches to the read-model writers, in log order. Messages of
 * one org share a partition, and a partition's batch is applied in order.
 */
@Injectable()
export class ReadModelProjector implements ProjectionHandler {
  constructor(
    private readonly status: IntegrationStatusWriter,
    private readonly identity: IdentityProjection,
    private readonly systemLog: SystemLogProjection,
  ) {}

  onAssignmentChanged(): void {
    this.identity.onAssignmentChanged();
  }

  async applyIdentity(
    batch: Array<Positioned<IdentityEvent>>,
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    await this.identity.apply(batch, heartbeat);
    await this.status.apply('identity', batch);
    await heartbeat();
  }

  async applySystemLog(
    batch: Array<Positioned<SystemLogEvent>>,
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    await this.systemLog.apply(batch);
    await this.status.apply('systemLog', batch);
    await heartbeat();
  }
}
