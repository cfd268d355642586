import {
  BadRequestException,
  Controller,
  Get,
  NotFoundException,
  Param,
  Query,
} from '@nestjs/common';
import { CURRENT_SCOPE, EvidenceStore } from './evidence.store';
import { CONTROL_IDS, ControlId } from './rules/controls.registry';

const MAX_LIMIT = 1000;

function parsePaging(offsetText?: string, limitText?: string): { offset: number; limit: number } {
  const offset = offsetText === undefined ? 0 : Number(offsetText);
  const limit = limitText === undefined ? 200 : Number(limitText);
  if (!Number.isInteger(offset) || offset < 0)
    throw new BadRequestException({
      statusCode: 400,
      code: 'invalid_offset',
      message: 'offset must be an integer ≥ 0',
    });
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new BadRequestException({
      statusCode: 400,
      code: 'invalid_limit',
      message: `limit must be an integer from 1 to ${MAX_LIMIT}`,
    });
  }
  return { offset, limit };
}

function parseControl(control: string): ControlId {
  if (!(CONTROL_IDS as readonly string[]).includes(control)) {
    throw new BadRequestException({
      statusCode: 400,
      code: 'unknown_control',
      message: `control must be one of ${CONTROL_IDS.join(', ')}`,
    });
  }
  return control as ControlId;
}

/** Pages every item list of a legacy document (items inline); `totals` tells the full lengths. */
function pageInline(items: Record<string, unknown[]>, offset: number, limit: number) {
  const paged: Record<string, unknown[]> = {};
  for (const [name, list] of Object.entries(items))
    paged[name] = list.slice(offset, offset + limit);
  return paged;
}

/** ★ Projector read API: validates and pages; the store reads. */
@Controller('v1/orgs/:orgId/evidence')
export class EvidenceController {
  constructor(private readonly store: EvidenceStore) {}

  @Get(':control')
  async current(
    @Param('orgId') orgId: string,
    @Param('control') controlText: string,
    @Query('offset') offset?: string,
    @Query('limit') limit?: string,
  ) {
    const control = parseControl(controlText);
    const paging = parsePaging(offset, limit);
    const doc = await this.store.currentOf(orgId, control);
    if (!doc)
      throw new NotFoundException({
        statusCode: 404,
        code: 'no_evidence',
        message: `no ${control} evidence for org ${orgId} yet (no completed sync)`,
      });
    const { _id, items, itemPages, ...rest } = doc;
    void _id;
    const { offset: skip, limit: take } = paging;
    const totals: Record<string, number> = {};
    for (const [name, list] of Object.entries(itemPages?.lists ?? items ?? {}))
      totals[name] = Array.isArray(list) ? list.length : list.total;
    const paged = itemPages
      ? await this.store.itemsPage(
          { orgId, control, scope: CURRENT_SCOPE, ref: itemPages },
          skip,
          take,
        )
      : pageInline(items ?? {}, skip, take);
    return { ...rest, items: paged, page: { offset: skip, limit: take, totals } };
  }

  @Get(':control/snapshots')
  async snapshots(
    @Param('orgId') orgId: string,
    @Param('control') controlText: string,
    @Query('offset') offset?: string,
    @Query('limit') limit?: string,
  ) {
    const control = parseControl(controlText);
    const { offset: skip, limit: take } = parsePaging(offset, limit ?? '20');
    const { snapshots: docs, total } = await this.store.snapshotsOf(orgId, control, skip, take);
    return {
      orgId,
      control,
      page: { offset: skip, limit: take, total },
      snapshots: await Promise.all(
        docs.map(async ({ _id, itemPages, ...doc }) => {
          void _id;
          if (!itemPages) return doc; // written before item pages: items inline
          const at = { orgId, control, scope: doc.syncId, ref: itemPages };
          return { ...doc, evidence: { ...doc.evidence, items: await this.store.allItems(at) } };
        }),
      ),
    };
  }
}
