import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsDefined, IsString, MaxLength, MinLength } from 'class-validator';

const trimmed = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim() : value;

// class-validator runs a property's checks bottom-up and stops at the first failure
// (HttpInputPipe): the type check sits nearest the property.

/** `PUT …/okta/connection`: save and test. The token is sealed at once and never answered. */
export class SaveConnectionRequest {
  @ApiProperty({
    description:
      'Okta org domain or URL (https; Okta domains, or a public custom domain whose .well-known names an Okta org host with the same org id)',
    example: 'acme.okta.com',
    minLength: 1,
    maxLength: 253,
  })
  @Transform(trimmed)
  @IsDefined({ message: 'is required (e.g. acme.okta.com)' })
  @MaxLength(253, { message: 'must be at most 253 characters' })
  @MinLength(1, { message: 'is required' })
  @IsString({ message: 'must be a string' })
  domain!: string;

  @ApiProperty({
    description: "a read-only administrator's Okta API token (SSWS)",
    example: '00abcdefghijklmnopqrstuvwxyz0123456789AB',
    minLength: 20,
    maxLength: 200,
    writeOnly: true,
  })
  @Transform(trimmed)
  @IsDefined({ message: 'is required' })
  @MaxLength(200, { message: 'must be at most 200 characters' })
  @MinLength(20, { message: 'looks too short for an Okta API token' })
  @IsString({ message: 'must be a string' })
  apiToken!: string;
}

export class TokenOwnerDto {
  @ApiProperty({ example: '00u1abcd' })
  id!: string;

  @ApiProperty({ type: String, nullable: true, example: 'auditor@acme.example' })
  login!: string | null;
}

/** What a passed connection test answers (never the token). */
export class ConnectionAnswerDto {
  @ApiProperty({ enum: ['connected'] })
  status!: 'connected';

  @ApiProperty({
    example: 'acme.okta.com',
    description: 'what was typed: an Okta org host or a verified custom domain',
  })
  domain!: string;

  @ApiProperty({
    example: 'acme.okta.com',
    description: "where API calls go: the Okta org host (a custom domain's organization)",
  })
  apiHost!: string;

  @ApiProperty({
    example: '00o1abcdEFGH',
    description: 'the Okta org id, from /.well-known/okta-organization',
  })
  oktaOrgId!: string;

  @ApiProperty({ type: TokenOwnerDto })
  tokenOwner!: TokenOwnerDto;

  @ApiProperty({ type: [String], example: ['READ_ONLY_ADMIN'] })
  roles!: string[];

  @ApiProperty({
    type: Boolean,
    nullable: true,
    description: 'true when every admin role of the token owner is read-only; null when unknown',
  })
  readOnly!: boolean | null;

  @ApiProperty({ type: [String] })
  warnings!: string[];
}
