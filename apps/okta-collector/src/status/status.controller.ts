import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ApiTokenGuard } from '../platform/api-token.guard';
import { OrgIdPipe } from '../platform/org-id.pipe';
import { StatusService } from './status.service';

@Controller('v1/orgs/:orgId/okta/status')
@UseGuards(ApiTokenGuard)
export class StatusController {
  constructor(private readonly statuses: StatusService) {}

  @Get()
  status(@Param('orgId', OrgIdPipe) orgId: string) {
    return this.statuses.status(orgId);
  }
}
