import { ApiProperty } from '@nestjs/swagger';
import { IsOrgId } from './is-org-id';

/** `:orgId` of every /v1 route: the same schema as the Kafka envelopes' orgId. */
export class OrgPath {
  @ApiProperty({
    description: 'Regentra organization id',
    example: 'acme-corp',
    pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$',
  })
  @IsOrgId()
  orgId!: string;
}
