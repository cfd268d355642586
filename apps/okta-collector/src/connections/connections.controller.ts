import { Body, Controller, Delete, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { Secret } from '../okta-client';
import { ApiTokenGuard } from '../platform/api-token.guard';
import { OrgIdPipe } from '../platform/org-id.pipe';
import { ZodBodyPipe } from '../platform/zod-body.pipe';
import { ConnectionsService } from './connections.service';

const SaveConnectionBody = z
  .object({
    domain: z
      .string({ required_error: 'is required (e.g. acme.okta.com)' })
      .trim()
      .min(1, 'is required')
      .max(253),
    apiToken: z
      .string({ required_error: 'is required' })
      .trim()
      .min(20, 'looks too short for an Okta API token')
      .max(200)
      .transform((token) => new Secret(token)),
  })
  .strict();

/** ★ Connection API (service-to-service bearer auth). Only translates and delegates. */
@Controller('v1/orgs/:orgId/okta/connection')
@UseGuards(ApiTokenGuard)
export class ConnectionsController {
  constructor(private readonly connections: ConnectionsService) {}

  @Put()
  save(
    @Param('orgId', OrgIdPipe) orgId: string,
    @Body(new ZodBodyPipe(SaveConnectionBody)) body: z.output<typeof SaveConnectionBody>,
  ) {
    return this.connections.save(orgId, body.domain, body.apiToken);
  }

  @Post('test')
  @HttpCode(200)
  test(@Param('orgId', OrgIdPipe) orgId: string) {
    return this.connections.retest(orgId);
  }

  @Delete()
  @HttpCode(204)
  async remove(@Param('orgId', OrgIdPipe) orgId: string): Promise<void> {
    await this.connections.remove(orgId);
  }
}
