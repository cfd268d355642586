import { Body, Controller, Delete, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Requires } from '@regentra/http-auth';
import { ApiErrors, OrgPath } from '@regentra/http-api';
import { Secret } from '../okta-client';
import { ConnectionAnswerDto, SaveConnectionRequest } from './connection.dto';
import { ConnectionsService } from './connections.service';

/** ★ Connection API (service-to-service bearer auth). Only translates and delegates. */
@ApiTags('connection')
@Requires('connection:write')
@ApiErrors({ 400: ['invalid_org_id'] })
@Controller('v1/orgs/:orgId/okta/connection')
export class ConnectionsController {
  constructor(private readonly connections: ConnectionsService) {}

  @Put()
  @ApiOperation({
    summary: 'Save and test the Okta connection',
    description:
      'Validates the domain (SSRF guard), calls Okta as the token owner and reads its admin roles. Nothing is saved unless Okta accepts the token.',
  })
  @ApiOkResponse({ type: ConnectionAnswerDto })
  @ApiErrors({
    400: [
      'invalid_org_id',
      'invalid_body',
      'invalid_domain',
      'custom_domain_not_okta',
      'bad_request',
    ],
    413: ['payload_too_large'],
    422: ['okta_token_rejected'],
    502: ['okta_error', 'okta_unreachable'],
  })
  save(@Param() path: OrgPath, @Body() body: SaveConnectionRequest): Promise<ConnectionAnswerDto> {
    return this.connections.save(path.orgId, body.domain, new Secret(body.apiToken));
  }

  @Post('test')
  @HttpCode(200)
  @ApiOperation({ summary: 'Test the stored connection again' })
  @ApiOkResponse({ type: ConnectionAnswerDto })
  @ApiErrors({
    404: ['no_connection'],
    409: ['token_undecryptable'],
    422: ['okta_token_rejected'],
    502: ['okta_error', 'okta_unreachable'],
  })
  test(@Param() path: OrgPath): Promise<ConnectionAnswerDto> {
    return this.connections.retest(path.orgId);
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({
    summary: 'Forget the connection',
    description: 'Deletes the sealed token and the System Log cursor; a running sync stops.',
  })
  @ApiNoContentResponse({ description: 'forgotten' })
  @ApiErrors({ 404: ['no_connection'] })
  async remove(@Param() path: OrgPath): Promise<void> {
    await this.connections.remove(path.orgId);
  }
}
