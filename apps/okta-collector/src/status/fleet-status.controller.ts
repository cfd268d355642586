import { Controller, Get, Inject, Injectable, UseGuards } from '@nestjs/common';
import { ConnectionsService } from '../connections/connections.service';
import { ApiTokenGuard } from '../platform/api-token.guard';
import { CLOCK, Clock } from '../platform/clock';
import { SyncRequestsService } from '../sync-requests/sync-requests.service';
import { SyncRunsService } from '../sync-runs/sync-runs.service';
import { fleetStatus, FleetStatus } from './fleet-status';

@Injectable()
export class FleetStatusService {
  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly connections: ConnectionsService,
    private readonly runs: SyncRunsService,
    private readonly inbox: SyncRequestsService,
  ) {}

  async status(): Promise<FleetStatus> {
    const [connections, latest, queued] = await Promise.all([
      this.connections.listAll(),
      this.runs.latestPerOrgAndKind(),
      this.inbox.countByOrg('queued'),
    ]);
    return fleetStatus(this.clock.now(), connections, latest, queued);
  }
}

/**
 * GET /v1/okta/fleet: every connected org by state (running, queued, last run
 * failed, credentials invalid, token undecryptable, token unused for more than
 * 20 days), for operators. Never carries a token.
 */
@Controller('v1/okta/fleet')
@UseGuards(ApiTokenGuard)
export class FleetStatusController {
  constructor(private readonly fleet: FleetStatusService) {}

  @Get()
  status(): Promise<FleetStatus> {
    return this.fleet.status();
  }
}
