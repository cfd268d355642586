import type { EncodedRecord } from './codec';

/**
 * ★ Kafka record header naming the lease epoch ("fence") of the sync that
 * published the record: a decimal integer, the collector's per-org lease fence,
 * which grows with every acquire and take-over. Every record of a sync (its
 * bracket, pages, progress, and an `abandoned` failure reported by the next
 * holder, with that holder's fence) carries it on the identity and System Log
 * topics; events outside a sync (`ConnectionStateChanged`, commands) do not.
 * A header, not an envelope field: the envelope is the external contract.
 */
export const FENCE_HEADER = 'regentra-fence';

const DECIMAL = /^(0|[1-9][0-9]{0,15})$/;

/** The record with the fence header added (the value keeps its bytes). */
export function withFence(record: EncodedRecord, fence: number): EncodedRecord {
  if (!Number.isSafeInteger(fence) || fence < 0)
    throw new RangeError(`fence must be a non-negative integer, not ${fence}`);
  return { ...record, headers: { ...record.headers, [FENCE_HEADER]: String(fence) } };
}

export type FenceHeaderResult = { ok: true; fence: number | null } | { ok: false; reason: string };

/**
 * Reads the fence header as a Kafka client hands it over (absent, one value,
 * or a list when the header repeats). Absent is `fence: null` (records of
 * producers before the header, events outside a sync); anything but one
 * decimal integer is malformed.
 */
export function readFenceHeader(
  value: Buffer | string | ReadonlyArray<Buffer | string> | undefined,
): FenceHeaderResult {
  if (value === undefined) return { ok: true, fence: null };
  const values = Array.isArray(value) ? value : [value as Buffer | string];
  const texts = values.map((v) => v.toString());
  const [text] = texts;
  const fence = text !== undefined && DECIMAL.test(text) ? Number(text) : NaN;
  if (texts.length !== 1 || !Number.isSafeInteger(fence))
    return { ok: false, reason: `invalid ${FENCE_HEADER} header: ${JSON.stringify(texts)}` };
  return { ok: true, fence };
}
