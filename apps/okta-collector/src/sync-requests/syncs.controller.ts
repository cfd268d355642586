import { CURRENT_COMMAND_VERSIONS } from '@regentra/contracts';
import {
  Body,
  ConflictException,
  Controller,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
} from '@nestjs/common';
import { ApiAcceptedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { Requires } from '@regentra/http-auth';
import { ApiErrors, OrgPath } from '@regentra/http-api';
import { ConnectionsService } from '../connections/connections.service';
import { EventPublisher } from '../kafka/event-publisher';
import { CLOCK, Clock } from '../platform/clock';
import { SyncAcceptedDto, SyncNowRequest } from './sync-now.dto';

/**
 * ★ Sync Now: publishes the same SyncRequested command the Regentra backend may
 * put on okta.commands.v1 and answers 202 once Kafka acknowledged it.
 */
@ApiTags('syncs')
@Requires('sync:request')
@Controller('v1/orgs/:orgId/okta/syncs')
export class SyncsController {
  constructor(
    private readonly publisher: EventPublisher,
    private readonly connections: ConnectionsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Sync Now',
    description:
      'Publishes a SyncRequested command and answers once Kafka acknowledged it. Serialized per org: a request during a run waits for it.',
  })
  @ApiAcceptedResponse({ type: SyncAcceptedDto })
  @ApiErrors({
    400: ['invalid_org_id', 'invalid_body', 'bad_request'],
    404: ['no_connection'],
    409: ['credentials_invalid'],
    413: ['payload_too_large'],
  })
  async request(@Param() path: OrgPath, @Body() body: SyncNowRequest): Promise<SyncAcceptedDto> {
    const { orgId } = path;
    const connection = await this.connections.get(orgId);
    if (!connection)
      throw new NotFoundException({
        statusCode: 404,
        code: 'no_connection',
        message: `org ${orgId} has no Okta connection: PUT …/okta/connection first`,
      });
    if (connection.state === 'credentials_invalid') {
      throw new ConflictException({
        statusCode: 409,
        code: 'credentials_invalid',
        message: 'Okta rejected the stored token; save the connection again with a valid token',
      });
    }
    const requestId = `api:${randomUUID()}`;
    await this.publisher.publish('commands', [
      {
        type: 'SyncRequested',
        schemaVersion: CURRENT_COMMAND_VERSIONS.SyncRequested,
        orgId,
        payload: {
          scope: body.scope,
          requestId,
          requestedAt: this.clock.now().toISOString(),
          requestedBy: body.requestedBy ?? 'api',
          mode: body.mode,
        },
      },
    ]);
    return { requestId, scope: body.scope, mode: body.mode };
  }
}
