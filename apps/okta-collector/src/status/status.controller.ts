import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, OrgPath } from '@regentra/http-api';
import { ApiTokenGuard } from '../platform/api-token.guard';
import { OrgStatusDto } from './status.dto';
import { StatusService } from './status.service';

@ApiTags('status')
@ApiBearerAuth('bearer')
@Controller('v1/orgs/:orgId/okta/status')
@UseGuards(ApiTokenGuard)
export class StatusController {
  constructor(private readonly statuses: StatusService) {}

  @Get()
  @ApiOperation({
    summary: 'Connection, running and last syncs, schedule',
    description: 'A running sync shows its `phase` and `progress` counts.',
  })
  @ApiOkResponse({ type: OrgStatusDto })
  @ApiErrors({ 400: ['invalid_org_id'], 401: ['unauthorized'], 404: ['no_connection'] })
  status(@Param() path: OrgPath): Promise<OrgStatusDto> {
    return this.statuses.status(path.orgId);
  }
}
