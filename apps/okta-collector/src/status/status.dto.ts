import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { TokenOwnerDto } from '../connections/connection.dto';

const dateTime = { type: String, format: 'date-time' } as const;

class ScheduleSkipDto {
  @ApiProperty(dateTime)
  at!: Date;

  @ApiProperty()
  reason!: string;
}

export class ConnectionStatusDto {
  @ApiProperty({ enum: ['connected', 'credentials_invalid', 'token_undecryptable'] })
  state!: string;

  @ApiProperty({ type: String, nullable: true })
  stateReason!: string | null;

  @ApiProperty({ example: 'acme.okta.com' })
  domain!: string;

  @ApiProperty({ type: TokenOwnerDto, nullable: true })
  tokenOwner!: TokenOwnerDto | null;

  @ApiProperty({ type: [String] })
  roles!: string[];

  @ApiProperty({ type: Boolean, nullable: true })
  readOnly!: boolean | null;

  @ApiProperty({ type: [String] })
  warnings!: string[];

  @ApiProperty(dateTime)
  savedAt!: Date;

  @ApiProperty(dateTime)
  lastTestedAt!: Date;

  @ApiProperty({
    ...dateTime,
    nullable: true,
    description: 'the last time Okta accepted the token',
  })
  tokenLastUsedAt!: Date | null;

  @ApiProperty({ description: 'the encryption key id that seals the stored token (rotation)' })
  tokenKeyId!: string;

  @ApiProperty({ type: ScheduleSkipDto, nullable: true })
  lastScheduleSkip!: ScheduleSkipDto | null;
}

/** One identity sync or System Log poll. */
export class SyncRunDto {
  @ApiProperty()
  syncId!: string;

  @ApiProperty({ enum: ['running', 'completed', 'failed', 'abandoned'] })
  state!: string;

  @ApiProperty({ enum: ['schedule', 'manual'] })
  trigger!: string;

  @ApiPropertyOptional({ enum: ['full', 'incremental'], description: 'identity syncs only' })
  mode?: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'identity syncs only: why it reads everything',
  })
  fullReason?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'identity syncs only: the sync an incremental one builds on',
  })
  baseSyncId?: string | null;

  @ApiProperty(dateTime)
  startedAt!: Date;

  @ApiProperty({ ...dateTime, nullable: true })
  finishedAt!: Date | null;

  @ApiProperty({
    description: 'what the run is doing (users, factors, groups, …, done)',
    example: 'users',
  })
  phase!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    description: 'counts so far, by dataset',
    example: { users: 1200, factors: 800 },
  })
  progress!: Record<string, number>;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'how it ended (counts, or the failure reason)',
  })
  outcome!: Record<string, unknown> | null;
}

class RunsStatusDto {
  @ApiProperty({ type: SyncRunDto, nullable: true })
  running!: SyncRunDto | null;

  @ApiProperty({ type: SyncRunDto, nullable: true })
  last!: SyncRunDto | null;

  @ApiProperty({ ...dateTime, nullable: true })
  lastSuccessfulAt!: Date | null;

  @ApiProperty({ ...dateTime, nullable: true })
  nextScheduledAt!: Date | null;
}

class IdentityStatusDto extends RunsStatusDto {
  @ApiProperty({
    ...dateTime,
    nullable: true,
    description: 'when the next identity sync that reads everything is due',
  })
  nextFullSyncDueAt!: Date | null;
}

class LastErrorDto {
  @ApiProperty()
  syncId!: string;

  @ApiProperty({ enum: ['identity', 'system-log'] })
  kind!: string;

  @ApiProperty({ ...dateTime, nullable: true })
  at!: Date | null;
}

/** ★ `GET …/okta/status`: never carries the token. */
export class OrgStatusDto {
  @ApiProperty()
  orgId!: string;

  @ApiProperty({ type: ConnectionStatusDto })
  connection!: ConnectionStatusDto;

  @ApiProperty({ type: IdentityStatusDto })
  identity!: IdentityStatusDto;

  @ApiProperty({ type: RunsStatusDto })
  systemLog!: RunsStatusDto;

  @ApiProperty({ description: 'sync requests waiting for this org' })
  queuedRequests!: number;

  @ApiProperty({
    type: LastErrorDto,
    nullable: true,
    description: "the latest run's failure, with its outcome's fields (reason, message, …)",
  })
  lastError!: (LastErrorDto & Record<string, unknown>) | null;
}
