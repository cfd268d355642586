import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { OrgPath } from '@regentra/http-api';
import { CONTROL_IDS, ControlId } from './rules/controls.registry';

export const MAX_LIMIT = 1000;

const controlCheck = {
  message: `control must be one of ${CONTROL_IDS.join(', ')}`,
  context: { code: 'unknown_control' },
};

/** `/v1/orgs/:orgId/evidence/:control…` */
export class EvidencePath extends OrgPath {
  @ApiProperty({ enum: CONTROL_IDS })
  @IsIn(CONTROL_IDS, controlCheck)
  control!: ControlId;
}

const listCheck = {
  message: 'list must be the name of one of the evidence item lists (letters and digits)',
  context: { code: 'invalid_list' },
};

/** `…/items/:list.csv` */
export class ItemsCsvPath extends EvidencePath {
  @ApiProperty({
    description:
      'an item list of the control, as named under `items` in its JSON (e.g. `withoutMfa`, `activeUsers` for authentication)',
    example: 'withoutMfa',
    pattern: '^[A-Za-z][A-Za-z0-9]{0,63}$',
  })
  @Matches(/^[A-Za-z][A-Za-z0-9]{0,63}$/, listCheck)
  list!: string;
}

const syncIdProperty = ApiProperty({
  description: 'the completed identity sync the snapshot was taken at',
  maxLength: 200,
});
const syncIdCheck = Matches(/^[^\s/]{1,200}$/, {
  message: 'syncId must be 1–200 characters without spaces or "/"',
  context: { code: 'invalid_sync_id' },
});

/** `…/snapshots/:syncId` */
export class SnapshotPath extends EvidencePath {
  @syncIdProperty
  @syncIdCheck
  syncId!: string;
}

/** `…/snapshots/:syncId/items/:list.csv` */
export class SnapshotCsvPath extends ItemsCsvPath {
  @syncIdProperty
  @syncIdCheck
  syncId!: string;
}

const offsetCheck = {
  message: 'offset must be an integer ≥ 0',
  context: { code: 'invalid_offset' },
};
const limitCheck = {
  message: `limit must be an integer from 1 to ${MAX_LIMIT}`,
  context: { code: 'invalid_limit' },
};

/** `?offset=&limit=`: a window of every item list (or of the snapshots). */
export class PagingQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt(offsetCheck)
  @Min(0, offsetCheck)
  offset?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_LIMIT,
    description: 'default 200 for evidence items, 20 for snapshots',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt(limitCheck)
  @Min(1, limitCheck)
  @Max(MAX_LIMIT, limitCheck)
  limit?: number;
}

const itemLists = {
  type: 'object',
  additionalProperties: { type: 'array', items: { type: 'object', additionalProperties: true } },
  description: 'item lists by name (users without MFA, leavers with access, …), each paged',
} as const;

const summary = {
  type: 'object',
  additionalProperties: true,
  description:
    "the control's figures (MFA coverage, counts, `complete`, coverage per dataset). Fails closed: `complete` is false when a dataset the control lists has no coverage entry, failed entries, or (System Log) a gap or no successful poll for LOG_STALE_HOURS; `incompleteReasons` says why. `mfaCoverage`/`mfaCoveragePercent` count users whose factors could not be read as not covered (the lower bound); `mfaCoverageUpper`/`mfaCoverageUpperPercent` are the upper bound. Breakdowns by an Okta string are arrays sorted by `value`, never objects keyed by it: `usersByStatusCounts` (access-review) and `factorTypeCounts` (authentication) are `[{ value, count }]`, `roleTypeCounts` (least-privilege) is `[{ value, holders, direct, viaGroup }]`. They replace `usersByStatus`, `factorTypes` and `byRoleType` (objects keyed by the Okta string), which snapshots written before still hold (docs/read-models.md).",
} as const;

class ItemsPageDto {
  @ApiProperty({ type: 'integer' })
  offset!: number;

  @ApiProperty({ type: 'integer' })
  limit!: number;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    description: 'the full length of each item list',
  })
  totals!: Record<string, number>;
}

class CurrentItemsPageDto extends ItemsPageDto {
  @ApiProperty({
    description:
      'the generation of the current evidence this page was read from, also the `ETag` (quoted): send it as `If-Match` with the later pages (docs/http-api.md, Evidence generations)',
  })
  generation!: string;
}

/** Where a control's evidence came from (docs/read-models.md, Provenance). */
class EvidenceProvenanceDto {
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'login.acme.example',
    description: 'the Okta domain the customer typed',
  })
  oktaDomain!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'acme.okta.com',
    description: 'the Okta org host the API calls went to',
  })
  apiHost!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: '00o1abcdEFGH',
    description: 'the Okta org id (/.well-known/okta-organization)',
  })
  oktaOrgId!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: '`orgId|oktaOrgId`: one evidence history per Okta org the org was connected to',
  })
  evidenceHistoryId!: string | null;

  @ApiProperty({ type: String, nullable: true, description: "the API token owner's Okta user id" })
  tokenOwnerId!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: "an OAuth service app's client id (not used yet)",
  })
  oauthClientId!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'the collector instance that read Okta',
  })
  collectorInstance!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '0.1.0' })
  collectorVersion!: string | null;

  @ApiProperty({ description: 'the identity sync the evidence is of' })
  identitySyncId!: string;

  @ApiProperty({ type: String, nullable: true, description: 'the newest System Log event it saw' })
  logsThrough!: string | null;

  @ApiProperty({ type: 'integer', description: "the version of the control's rule" })
  rulesVersion!: number;

  @ApiProperty({ example: '0.1.0+1a2b3c4d5e6f', description: "the projector's code version" })
  codeVersion!: string;
}

const provenance = {
  type: EvidenceProvenanceDto,
  required: false,
  description: 'absent on evidence written before provenance was recorded',
} as const;

/** ★ The current evidence of one control, its item lists paged. */
export class CurrentEvidenceDto {
  @ApiProperty()
  orgId!: string;

  @ApiProperty({ enum: CONTROL_IDS })
  control!: ControlId;

  @ApiProperty({ format: 'date-time', description: 'the time the evidence describes' })
  asOf!: string;

  @ApiProperty({ description: 'the identity sync it was computed from' })
  syncId!: string;

  @ApiProperty(summary)
  summary!: Record<string, unknown>;

  @ApiProperty({ type: String, nullable: true, description: 'the newest System Log event it saw' })
  logsThrough!: string | null;

  @ApiProperty(provenance)
  provenance?: EvidenceProvenanceDto;

  @ApiProperty({ type: String, format: 'date-time' })
  projectedAt!: Date;

  @ApiProperty(itemLists)
  items!: Record<string, unknown[]>;

  @ApiProperty({ type: CurrentItemsPageDto })
  page!: CurrentItemsPageDto;
}

/** The head of a snapshot's evidence: what the hash covers, less the item lists. */
class SnapshotHeadDto {
  @ApiProperty()
  orgId!: string;

  @ApiProperty({ enum: CONTROL_IDS })
  control!: ControlId;

  @ApiProperty({ format: 'date-time' })
  asOf!: string;

  @ApiProperty()
  syncId!: string;

  @ApiProperty(summary)
  summary!: Record<string, unknown>;

  @ApiProperty(provenance)
  provenance?: EvidenceProvenanceDto;
}

class SnapshotEvidenceDto extends SnapshotHeadDto {
  @ApiProperty({ ...itemLists, description: 'every item list, paged by offset/limit' })
  items!: Record<string, unknown[]>;
}

/** Where a snapshot sits in its control's chain (docs/read-models.md, signed snapshots). */
class ChainLinkDto {
  @ApiProperty({ type: 'integer', minimum: 1, description: '1 for the first signed snapshot' })
  position!: number;

  @ApiProperty({
    type: String,
    nullable: true,
    description: "the previous snapshot's `hash`; null for position 1",
  })
  previousHash!: string | null;
}

class SnapshotFieldsDto {
  @ApiProperty()
  orgId!: string;

  @ApiProperty({ enum: CONTROL_IDS })
  control!: ControlId;

  @ApiProperty()
  syncId!: string;

  @ApiProperty({ format: 'date-time' })
  asOf!: string;

  @ApiProperty({
    example: 'sha256:44136fa3…',
    description:
      'SHA-256 of the canonical JSON of the whole evidence, every item list whole (`npm run verify-snapshot`)',
  })
  hash!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  projectedAt!: Date;

  @ApiPropertyOptional({
    type: ChainLinkDto,
    description: 'absent in snapshots written before signing',
  })
  chain?: ChainLinkDto;

  @ApiPropertyOptional({
    description:
      "detached compact JWS (EdDSA) of the manifest's canonical JSON; the manifest is in `…/export`, the key in `GET /.well-known/jwks.json`. Absent before signing",
  })
  signature?: string;
}

/** One entry of the snapshot history: its head and list lengths, no items. */
class SnapshotEntryDto extends SnapshotFieldsDto {
  @ApiProperty({ type: SnapshotHeadDto })
  evidence!: SnapshotHeadDto;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    nullable: true,
    description:
      'the length of each item list (null for a snapshot written before item pages: ask for it by syncId)',
  })
  itemTotals!: Record<string, number> | null;
}

/** ★ One snapshot, its item lists paged (`GET …/snapshots/:syncId`). */
export class SnapshotDto extends SnapshotFieldsDto {
  @ApiProperty({ type: SnapshotEvidenceDto })
  evidence!: SnapshotEvidenceDto;

  @ApiProperty({ type: ItemsPageDto })
  page!: ItemsPageDto;
}

class SnapshotsPageDto {
  @ApiProperty({ type: 'integer' })
  offset!: number;

  @ApiProperty({ type: 'integer' })
  limit!: number;

  @ApiProperty({ type: 'integer' })
  total!: number;
}

/** ★ A control's immutable snapshots, newest first, without their item lists. */
export class SnapshotsDto {
  @ApiProperty()
  orgId!: string;

  @ApiProperty({ enum: CONTROL_IDS })
  control!: ControlId;

  @ApiProperty({ type: SnapshotsPageDto })
  page!: SnapshotsPageDto;

  @ApiProperty({ type: [SnapshotEntryDto] })
  snapshots!: SnapshotEntryDto[];
}
