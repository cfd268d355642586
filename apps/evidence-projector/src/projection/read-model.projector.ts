import { Injectable } from '@nestjs/common';
import { IdentityEvent, SystemLogEvent } from '@regentra/contracts';
import { Positioned, ProjectionHandler } from '../consumption/projection-handler';
import { IntegrationStatusWriter } from '../integration-status/integration-status.writer';

/** Routes decoded batches to the read-model writers, in log order. */
@Injectable()
export class ReadModelProjector implements ProjectionHandler {
  constructor(private readonly status: IntegrationStatusWriter) {}

  async applyIdentity(
    batch: Array<Positioned<IdentityEvent>>,
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    await this.status.apply('identity', batch);
    await heartbeat();
  }

  async applySystemLog(
    batch: Array<Positioned<SystemLogEvent>>,
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    await this.status.apply('systemLog', batch);
    await heartbeat();
  }
}
