import { Controller, Get, Inject, Injectable } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Requires } from '@regentra/http-auth';
import { ConnectionsService } from '../connections/connections.service';
import { CLOCK, Clock } from '../platform/clock';
import { SyncRequestsRepository } from '../sync-requests/sync-requests.repository';
import { SyncRunsRepository } from '../sync-runs/sync-runs.repository';
import { SyncRunsService } from '../sync-runs/sync-runs.service';
import { fleetStatus, FleetStatus } from './fleet-status';

@Injectable()
export class FleetStatusService {
  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly connections: ConnectionsService,
    private readonly runs: SyncRunsRepository,
    private readonly liveness: SyncRunsService,
    private readonly inbox: SyncRequestsRepository,
  ) {}

  async status(): Promise<FleetStatus> {
    const [connections, latest, queued, isLive] = await Promise.all([
      this.connections.listAll(),
      this.runs.latestPerOrgAndKind(),
      this.inbox.countByOrg('queued'),
      this.liveness.liveness(),
    ]);
    return fleetStatus(this.clock.now(), connections, latest, queued, isLive);
  }
}

/**
 * GET /v1/okta/fleet: every connected org by state (running, queued, last run
 * failed, credentials invalid, token undecryptable, token unused for more than
 * 20 days), for operators. Never carries a token.
 */
const list = (properties: Record<string, object>) => ({
  type: 'array',
  items: { type: 'object', properties, required: Object.keys(properties) },
});
const text = { type: 'string' };
const nullableText = { type: ['string', 'null'] };
const time = { type: 'string', format: 'date-time' };

@ApiTags('status')
@Requires('fleet:read')
@Controller('v1/okta/fleet')
export class FleetStatusController {
  constructor(private readonly fleet: FleetStatusService) {}

  @Get()
  @ApiOperation({
    summary: 'Every connected org by state, for operators',
    description:
      'Running, queued, last run failed, credentials invalid, token undecryptable and token unused for more than 20 days. An org may be in several lists; orgs in none are fine.',
  })
  @ApiOkResponse({
    schema: {
      type: 'object',
      required: [
        'at',
        'orgs',
        'counts',
        'running',
        'queued',
        'lastFailed',
        'credentialsInvalid',
        'tokenUndecryptable',
        'tokenUnused',
      ],
      properties: {
        at: time,
        orgs: { type: 'integer' },
        counts: { type: 'object', additionalProperties: { type: 'integer' } },
        running: list({ orgId: text, kind: text, syncId: text, startedAt: time, holder: text }),
        queued: list({ orgId: text, requests: { type: 'integer' } }),
        lastFailed: list({
          orgId: text,
          kind: text,
          syncId: text,
          state: text,
          finishedAt: { type: ['string', 'null'], format: 'date-time' },
          reason: nullableText,
          message: nullableText,
        }),
        credentialsInvalid: list({ orgId: text, reason: nullableText }),
        tokenUndecryptable: list({ orgId: text, reason: nullableText }),
        tokenUnused: list({
          orgId: text,
          tokenLastUsedAt: { type: ['string', 'null'], format: 'date-time' },
          unusedDays: { type: 'number' },
        }),
      },
    },
  })
  status(): Promise<FleetStatus> {
    return this.fleet.status();
  }
}
