import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import type { SyncRequestMode, SyncScope } from '@regentra/contracts';

const SCOPES: SyncScope[] = ['identity', 'system-log', 'all'];
const MODES: SyncRequestMode[] = ['auto', 'full'];

/** `POST …/okta/syncs`: Sync Now. Becomes a SyncRequested command (zod-checked on the wire). */
export class SyncNowRequest {
  @ApiPropertyOptional({ enum: SCOPES, default: 'all' })
  @IsOptional()
  @IsIn(SCOPES, { message: `must be one of ${SCOPES.join(', ')}` })
  scope: SyncScope = 'all';

  @ApiPropertyOptional({
    description: 'who asked (stored with the request)',
    minLength: 1,
    maxLength: 200,
  })
  @IsOptional()
  @MaxLength(200, { message: 'must be at most 200 characters' })
  @MinLength(1, { message: 'must not be empty' })
  @IsString({ message: 'must be a string' })
  requestedBy?: string;

  @ApiPropertyOptional({
    enum: MODES,
    default: 'auto',
    description: '`full` reads everything even when an incremental sync would do',
  })
  @IsOptional()
  @IsIn(MODES, { message: `must be one of ${MODES.join(', ')}` })
  mode: SyncRequestMode = 'auto';
}

export class SyncAcceptedDto {
  @ApiProperty({ example: 'api:6f1c2d4e-…', description: 'the idempotency key of the command' })
  requestId!: string;

  @ApiProperty({ enum: SCOPES })
  scope!: SyncScope;

  @ApiProperty({ enum: MODES })
  mode!: SyncRequestMode;
}
