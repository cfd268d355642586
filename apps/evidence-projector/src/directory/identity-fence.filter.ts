import { Inject, Injectable, Logger } from '@nestjs/common';
import { IdentityEvent } from '@regentra/contracts';
import { PROJECTOR_METRICS, ProjectorMetrics } from '../platform/metrics';
import { IdentityFencesRepository } from './identity-fences.repository';

/** An identity record as the filter sees it: the event and its `regentra-fence` header (null: none). */
export interface FencedRecord {
  message: IdentityEvent;
  fence?: number | null;
  partition?: number;
  offset?: string;
}

export interface FenceJudgement<R> {
  /** In log order: records with no fence, or a fence at least the highest seen before them. */
  admitted: R[];
  /** Records of a superseded holder, with the org's highest fence when they came. */
  superseded: Array<{ record: R; highest: number }>;
  /** Orgs whose highest fence this batch raised, and to what. */
  raised: Map<string, number>;
}

/**
 * Pure: judges records in log order against the highest fence already seen
 * per org (`known`) and the fences earlier in the batch. A record whose fence
 * is lower than that was published by a lease holder some newer holder has
 * replaced (a collector that paused past its lease, a zombie): it is
 * superseded. An equal fence is the same holder (its next record, or this
 * record redelivered). A record without a fence (events outside a sync,
 * producers before the header) is admitted and raises nothing.
 */
export function judgeFences<R extends FencedRecord>(
  batch: readonly R[],
  known: ReadonlyMap<string, number>,
): FenceJudgement<R> {
  const highest = new Map(known);
  const judgement: FenceJudgement<R> = { admitted: [], superseded: [], raised: new Map() };
  for (const record of batch) {
    const { fence } = record;
    const orgId = record.message.orgId;
    const seen = highest.get(orgId);
    if (fence === null || fence === undefined) {
      judgement.admitted.push(record);
    } else if (seen !== undefined && fence < seen) {
      judgement.superseded.push({ record, highest: seen });
    } else {
      judgement.admitted.push(record);
      if (seen === undefined || fence > seen) {
        highest.set(orgId, fence);
        judgement.raised.set(orgId, fence);
      }
    }
  }
  return judgement;
}

/**
 * Drops identity records of a superseded lease holder before anything
 * projects them: neither the read models nor the integration status see them
 * (not dead-lettered: they are valid, just outdated). The highest fence per
 * org lives in `identity_fences` and is stored only after the batch's
 * admitted records are written (`record()`), so a batch redelivered before
 * that is judged exactly as the first time, and one redelivered after it
 * skips only records whose every write is already done. Consuming the topic
 * from offset 0 judges every record against the same history, so replay gives
 * the same result. Only identity-topic fences count: the two topics are not
 * ordered with each other.
 */
@Injectable()
export class IdentityFenceFilter {
  private readonly logger = new Logger(IdentityFenceFilter.name);

  constructor(
    private readonly fences: IdentityFencesRepository,
    @Inject(PROJECTOR_METRICS) private readonly metrics: ProjectorMetrics,
  ) {}

  async admit<R extends FencedRecord>(
    batch: R[],
  ): Promise<{ admitted: R[]; record: () => Promise<void> }> {
    const fenced = batch.filter((r) => r.fence !== null && r.fence !== undefined);
    if (fenced.length === 0) return { admitted: batch, record: async () => undefined };
    const known = await this.fences.highest([...new Set(fenced.map((r) => r.message.orgId))]);
    const judged = judgeFences(batch, known);
    for (const { record, highest } of judged.superseded) {
      const { orgId, syncId, type } = record.message;
      this.logger.warn({
        orgId,
        syncId,
        fence: record.fence,
        highestFence: highest,
        type,
        partition: record.partition,
        offset: record.offset,
        msg: 'identity record of a superseded lease holder (lower fence) ignored',
      });
      this.metrics.supersededFence.inc({ type });
    }
    return { admitted: judged.admitted, record: () => this.fences.raise(judged.raised) };
  }
}
