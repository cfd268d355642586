import {
  Body,
  ConflictException,
  Controller,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  UseGuards,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { SyncRequestModeSchema, SyncScopeSchema } from '@regentra/contracts';
import { ConnectionsService } from '../connections/connections.service';
import { EventPublisher } from '../kafka/event-publisher';
import { ApiTokenGuard } from '../platform/api-token.guard';
import { CLOCK, Clock } from '../platform/clock';
import { OrgIdPipe } from '../platform/org-id.pipe';
import { ZodBodyPipe } from '../platform/zod-body.pipe';

const SyncNowBody = z
  .object({
    scope: SyncScopeSchema.default('all'),
    requestedBy: z.string().min(1).max(200).optional(),
    /** `full` reads everything even when an incremental sync would do. */
    mode: SyncRequestModeSchema.default('auto'),
  })
  .strict();

/**
 * ★ Sync Now: publishes the same SyncRequested command the Regentra backend may
 * put on okta.commands.v1 and answers 202 once Kafka acknowledged it.
 */
@Controller('v1/orgs/:orgId/okta/syncs')
@UseGuards(ApiTokenGuard)
export class SyncsController {
  constructor(
    private readonly publisher: EventPublisher,
    private readonly connections: ConnectionsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post()
  @HttpCode(202)
  async request(
    @Param('orgId', OrgIdPipe) orgId: string,
    @Body(new ZodBodyPipe(SyncNowBody)) body: z.output<typeof SyncNowBody>,
  ) {
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
        schemaVersion: 2,
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
