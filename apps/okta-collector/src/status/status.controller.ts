import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Requires } from '@regentra/http-auth';
import { ApiErrors, OrgPath } from '@regentra/http-api';
import { OrgStatusDto } from './status.dto';
import { StatusService } from './status.service';

@ApiTags('status')
@Requires('status:read')
@Controller('v1/orgs/:orgId/okta/status')
export class StatusController {
  constructor(private readonly statuses: StatusService) {}

  @Get()
  @ApiOperation({
    summary: 'Connection, running and last syncs, schedule',
    description: 'A running sync shows its `phase` and `progress` counts.',
  })
  @ApiOkResponse({ type: OrgStatusDto })
  @ApiErrors({ 400: ['invalid_org_id'], 404: ['no_connection'] })
  status(@Param() path: OrgPath): Promise<OrgStatusDto> {
    return this.statuses.status(path.orgId);
  }
}
