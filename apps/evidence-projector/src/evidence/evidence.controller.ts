import {
  ConflictException,
  Controller,
  Get,
  Headers,
  NotFoundException,
  Param,
  Query,
  Res,
  StreamableFile,
} from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { Requires } from '@regentra/http-auth';
import { ApiErrors } from '@regentra/http-api';
import { CsvHeader, evidenceCsv } from './evidence-csv';
import {
  CurrentEvidenceDto,
  EvidencePath,
  ItemsCsvPath,
  PagingQuery,
  SnapshotCsvPath,
  SnapshotDto,
  SnapshotPath,
  SnapshotsDto,
} from './evidence.dto';
import { CURRENT_SCOPE, EvidenceStore, ItemPageError } from './evidence.store';
import {
  checkIfMatch,
  etagOf,
  evidenceChanged,
  generationOf,
  sameGeneration,
} from './evidence-generation';
import type { ControlEvidenceDocument } from './control-evidence.document';
import type { ItemPagesRef } from './item-pages';
import type { ControlId } from './rules/controls.registry';
import { EXPORT_FORMAT, exportJson } from './snapshot-export';

/** Items per chunk when a legacy document holds its lists inline. */
const INLINE_CHUNK = 1000;

/** Pages every item list of a legacy document (items inline); `totals` tells the full lengths. */
function pageInline(items: Record<string, unknown[]>, offset: number, limit: number) {
  const paged: Record<string, unknown[]> = {};
  for (const [name, list] of Object.entries(items))
    paged[name] = list.slice(offset, offset + limit);
  return paged;
}

async function* inlineChunks(list: unknown[]): AsyncGenerator<unknown[]> {
  for (let start = 0; start < list.length; start += INLINE_CHUNK)
    yield list.slice(start, start + INLINE_CHUNK);
}

const noEvidence = (orgId: string, control: string) =>
  new NotFoundException({
    statusCode: 404,
    code: 'no_evidence',
    message: `no ${control} evidence for org ${orgId} yet (no completed sync)`,
  });

const noSnapshot = (orgId: string, control: string, syncId: string) =>
  new NotFoundException({
    statusCode: 404,
    code: 'no_snapshot',
    message: `no ${control} snapshot of org ${orgId} at sync ${syncId}`,
  });

const unsigned = (orgId: string, control: string, syncId: string) =>
  new ConflictException({
    statusCode: 409,
    code: 'unsigned_snapshot',
    message: `the ${control} snapshot of org ${orgId} at sync ${syncId} was written before snapshots were signed: verify it with npm run verify-snapshot -- <orgId> <control> <syncId>`,
  });

/** The full length of each item list of a paged document. */
const totalsOf = (ref: ItemPagesRef): Record<string, number> =>
  Object.fromEntries(Object.entries(ref.lists).map(([name, index]) => [name, index.total]));

/** The same for a document either paged or (written before item pages) with its items inline. */
const listTotals = (ref: ItemPagesRef | undefined, items: Record<string, unknown[]> | undefined) =>
  ref
    ? totalsOf(ref)
    : Object.fromEntries(Object.entries(items ?? {}).map(([name, list]) => [name, list.length]));

const unknownList = (control: string, lists: string[]) =>
  new NotFoundException({
    statusCode: 404,
    code: 'unknown_list',
    message: `the ${control} evidence has no such item list; it has ${lists.join(', ')}`,
  });

const ifMatchHeader = ApiHeader({
  name: 'if-match',
  required: false,
  description:
    'The `ETag` of an earlier page (docs/http-api.md, Evidence generations): answered 412 `evidence_changed` when the current evidence moved on to another generation since',
});

/** Ends a stream cut short so the client sees a broken transfer, never a complete-looking file. */
function cutOnError(file: StreamableFile): StreamableFile {
  return file.setErrorHandler((error, handle) => {
    const res = handle as unknown as ServerResponse;
    if (res.destroyed) return;
    if (!res.headersSent) {
      res.statusCode = 500;
      res.end();
      return;
    }
    // Nest's default ends the response cleanly, so a cut CSV would look whole.
    res.write(`# error: ${error.message.replace(/[\r\n]+/g, ' ')}\r\n`);
    res.destroy(error);
  });
}

const csvResponse = {
  description:
    'CSV (RFC 4180) after `# key: value` comment lines naming the control, list, org, sync id, asOf and snapshot hash',
  content: { 'text/csv': { schema: { type: 'string' } } },
};

/** ★ Projector read API: validates and pages; the store reads. */
@ApiTags('evidence')
@Requires('evidence:read')
@ApiErrors({ 400: ['invalid_org_id', 'unknown_control'] })
@Controller('v1/orgs/:orgId/evidence')
export class EvidenceController {
  constructor(private readonly store: EvidenceStore) {}

  @Get(':control')
  @ApiOperation({
    summary: "A control's current evidence, item lists paged by offset/limit",
    description:
      'The answer names its generation (`page.generation`, and the `ETag` header): send it as `If-Match` with the later pages, so a read that spans a switch fails (412 `evidence_changed`) instead of mixing two generations.',
  })
  @ApiOkResponse({
    type: CurrentEvidenceDto,
    headers: {
      ETag: { description: '`"<page.generation>"`', schema: { type: 'string' } },
    },
  })
  @ifMatchHeader
  @ApiErrors({
    400: ['invalid_org_id', 'unknown_control', 'invalid_offset', 'invalid_limit'],
    404: ['no_evidence'],
    412: ['evidence_changed'],
  })
  async current(
    @Param() { orgId, control }: EvidencePath,
    @Query() query: PagingQuery,
    @Headers('if-match') ifMatch?: string,
    @Res({ passthrough: true }) res?: Response,
  ): Promise<CurrentEvidenceDto> {
    const doc = await this.store.currentOf(orgId, control);
    if (!doc) throw noEvidence(orgId, control);
    checkIfMatch(ifMatch, doc);
    res?.setHeader('ETag', etagOf(doc));
    const { _id, items, itemPages, ...rest } = doc;
    void _id;
    const skip = query.offset ?? 0;
    const take = query.limit ?? 200;
    const totals = listTotals(itemPages, items);
    const paged = itemPages
      ? await this.store
          .itemsPage({ orgId, control, scope: CURRENT_SCOPE, ref: itemPages }, skip, take)
          .catch((error: unknown) => this.displacedOr(error, doc))
      : pageInline(items ?? {}, skip, take);
    const page = { offset: skip, limit: take, totals, generation: generationOf(doc) };
    return { ...rest, items: paged, page };
  }

  @Get(':control/items/:list.csv')
  @ApiOperation({
    summary: 'One item list of the current evidence as CSV, for auditors',
    description:
      'Streamed page by page. `snapshotHash` in the header is the hash of the snapshot taken at the same sync (the current evidence may also reflect later System Log polls: `logsThrough`). The `ETag` names the generation streamed (send it as `If-Match`); a download the next switch cuts short ends in `# error: …` and a broken transfer, never a complete-looking file.',
  })
  @ApiOkResponse(csvResponse)
  @ifMatchHeader
  @ApiErrors({
    400: ['invalid_org_id', 'unknown_control', 'invalid_list'],
    404: ['no_evidence', 'unknown_list'],
    412: ['evidence_changed'],
  })
  async currentCsv(
    @Param() { orgId, control, list }: ItemsCsvPath,
    @Headers('if-match') ifMatch?: string,
    @Res({ passthrough: true }) res?: Response,
  ): Promise<StreamableFile> {
    const doc = await this.store.currentOf(orgId, control);
    if (!doc) throw noEvidence(orgId, control);
    checkIfMatch(ifMatch, doc);
    res?.setHeader('ETag', etagOf(doc));
    const snapshot = await this.store.snapshotOf(orgId, control, doc.syncId);
    const header: CsvHeader = {
      control,
      list,
      orgId,
      evidence: 'current',
      syncId: doc.syncId,
      asOf: doc.asOf,
      logsThrough: doc.logsThrough,
      snapshotHash: snapshot?.hash ?? null,
    };
    return this.csv(header, { orgId, control, scope: CURRENT_SCOPE }, list, doc);
  }

  @Get(':control/snapshots')
  @ApiOperation({
    summary: "A control's immutable snapshots, newest first, without their item lists",
    description:
      'Each entry has its summary, hash and the length of each item list; the items come from `GET …/snapshots/:syncId` (paged) or its CSV routes.',
  })
  @ApiOkResponse({ type: SnapshotsDto })
  @ApiErrors({
    400: ['invalid_org_id', 'unknown_control', 'invalid_offset', 'invalid_limit'],
  })
  async snapshots(
    @Param() { orgId, control }: EvidencePath,
    @Query() query: PagingQuery,
  ): Promise<SnapshotsDto> {
    const skip = query.offset ?? 0;
    const take = query.limit ?? 20;
    const { snapshots: docs, total } = await this.store.snapshotsOf(orgId, control, skip, take);
    return {
      orgId,
      control,
      page: { offset: skip, limit: take, total },
      snapshots: docs.map(({ _id, itemPages, evidence, manifest, ...doc }) => {
        void _id;
        void manifest; // projected out by the store: the export carries it
        const { items, ...head } = evidence;
        void items; // projected out by the store
        return { ...doc, evidence: head, itemTotals: itemPages ? totalsOf(itemPages) : null };
      }),
    };
  }

  @Get(':control/snapshots/:syncId')
  @ApiOperation({
    summary: 'The snapshot taken at one sync, its item lists paged by offset/limit',
    description:
      'To check `hash` over HTTP, read every page (`page.totals`) and hash the evidence with its lists whole; `npm run verify-snapshot` does it from the database.',
  })
  @ApiOkResponse({ type: SnapshotDto })
  @ApiErrors({
    400: [
      'invalid_org_id',
      'unknown_control',
      'invalid_sync_id',
      'invalid_offset',
      'invalid_limit',
    ],
    404: ['no_snapshot'],
  })
  async snapshot(
    @Param() { orgId, control, syncId }: SnapshotPath,
    @Query() query: PagingQuery,
  ): Promise<SnapshotDto> {
    const doc = await this.store.snapshotOf(orgId, control, syncId);
    if (!doc) throw noSnapshot(orgId, control, syncId);
    const { _id, itemPages, evidence, manifest, ...rest } = doc;
    void _id;
    void manifest; // in the export
    const { items, ...head } = evidence;
    const skip = query.offset ?? 0;
    const take = query.limit ?? 200;
    const paged = itemPages
      ? await this.store.itemsPage({ orgId, control, scope: syncId, ref: itemPages }, skip, take)
      : pageInline(items ?? {}, skip, take);
    const totals = listTotals(itemPages, items);
    return {
      ...rest,
      evidence: { ...head, items: paged },
      page: { offset: skip, limit: take, totals },
    };
  }

  @Get(':control/snapshots/:syncId/export')
  @ApiOperation({
    summary:
      'The snapshot as one file to verify offline: its signed manifest, the chain before it, its items',
    description:
      "JSON (`regentra.snapshot-export.v1`), streamed: `manifest` and `signature` (a detached EdDSA JWS of the manifest's canonical JSON, key in `GET /.well-known/jwks.json`), `chain` (the signed manifests of every earlier snapshot of the control, oldest first) and `evidence` with every item list whole. `npm run verify-snapshot -- --chain --org … --control … --jwks <file> <export>…` checks it.",
  })
  @ApiOkResponse({
    description: 'the export file (attachment)',
    content: { 'application/json': { schema: { type: 'object' } } },
  })
  @ApiErrors({
    400: ['invalid_org_id', 'unknown_control', 'invalid_sync_id'],
    404: ['no_snapshot'],
    409: ['unsigned_snapshot'],
  })
  async snapshotExport(@Param() { orgId, control, syncId }: SnapshotPath): Promise<StreamableFile> {
    const doc = await this.store.snapshotOf(orgId, control, syncId);
    if (!doc) throw noSnapshot(orgId, control, syncId);
    if (!doc.manifest || !doc.signature || !doc.itemPages) throw unsigned(orgId, control, syncId);
    const at = { orgId, control, scope: syncId, ref: doc.itemPages };
    const chain = (await this.store.chainBefore(doc)).map((e) => ({
      syncId: e.syncId,
      manifest: e.manifest!,
      signature: e.signature!,
    }));
    const { items, ...head } = doc.evidence;
    void items; // a signed snapshot has item pages
    const body = exportJson(
      {
        format: EXPORT_FORMAT,
        orgId,
        control,
        syncId,
        manifest: doc.manifest,
        signature: doc.signature,
        chain,
        evidence: head,
      },
      Object.keys(doc.itemPages.lists),
      (list) => this.store.pagesOf(at, list),
    );
    const name = `${orgId}-${control}-${syncId}-export.json`.replace(/[^\w.-]/g, '_');
    return new StreamableFile(Readable.from(body), {
      type: 'application/json; charset=utf-8',
      disposition: `attachment; filename="${name}"`,
    });
  }

  @Get(':control/snapshots/:syncId/items/:list.csv')
  @ApiOperation({
    summary: 'One item list of the snapshot taken at a sync, as CSV',
    description:
      'Streamed page by page; the header carries the hash `npm run verify-snapshot` checks.',
  })
  @ApiOkResponse(csvResponse)
  @ApiErrors({
    400: ['invalid_org_id', 'unknown_control', 'invalid_list', 'invalid_sync_id'],
    404: ['no_snapshot', 'unknown_list'],
  })
  async snapshotCsv(
    @Param() { orgId, control, syncId, list }: SnapshotCsvPath,
  ): Promise<StreamableFile> {
    const doc = await this.store.snapshotOf(orgId, control, syncId);
    if (!doc) throw noSnapshot(orgId, control, syncId);
    const header: CsvHeader = {
      control,
      list,
      orgId,
      evidence: 'snapshot',
      syncId,
      asOf: doc.asOf,
      snapshotHash: doc.hash,
    };
    return this.csv(header, { orgId, control, scope: syncId }, list, {
      itemPages: doc.itemPages,
      items: doc.evidence.items,
    });
  }

  /** A current page gone while read: 412 when a switch displaced its generation meanwhile. */
  private async displacedOr(error: unknown, doc: ControlEvidenceDocument): Promise<never> {
    const now =
      error instanceof ItemPageError && (await this.store.currentOf(doc.orgId, doc.control));
    if (now && generationOf(now) !== generationOf(doc))
      throw evidenceChanged(
        doc,
        `from generation ${generationOf(doc)} to ${generationOf(now)} while read`,
      );
    throw error;
  }

  private csv(
    header: CsvHeader,
    at: { orgId: string; control: ControlId; scope: string },
    list: string,
    source: { itemPages?: ItemPagesRef; items?: Record<string, unknown[]> },
  ): StreamableFile {
    const names = Object.keys(source.itemPages?.lists ?? source.items ?? {});
    if (!names.includes(list)) throw unknownList(at.control, names);
    const stored = source.itemPages && this.store.pagesOf({ ...at, ref: source.itemPages }, list);
    const pages = !stored
      ? inlineChunks(source.items?.[list] ?? [])
      : at.scope === CURRENT_SCOPE
        ? sameGeneration(at, stored, (e) => e instanceof ItemPageError)
        : stored;
    const name = `${at.orgId}-${at.control}-${list}-${header.syncId}.csv`.replace(/[^\w.-]/g, '_');
    return cutOnError(
      new StreamableFile(Readable.from(evidenceCsv(header, pages)), {
        type: 'text/csv; charset=utf-8',
        disposition: `attachment; filename="${name}"`,
      }),
    );
  }
}
