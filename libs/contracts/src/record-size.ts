import { MAX_MESSAGE_BYTES } from './topics';

/*
 * ★ Records are sized by their encoded bytes, never by item count: real Okta
 * objects weigh from under 1 KB to several KB each, so "200 per message" may
 * be 40 KB or 900 KB. Producers split every list they publish with
 * `splitBySize` under MAX_MESSAGE_BYTES (the value `encodeMessage` enforces
 * and the topics' `max.message.bytes` is derived from).
 */

/** UTF-8 bytes of a value's JSON, as `encodeMessage` will write it. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}

/**
 * Room for what `emptyRecordBytes` cannot know exactly: `seq` and `part`
 * growing by a few digits, an `occurredAt` with an offset instead of `Z`.
 */
export const RECORD_SIZE_SLACK = 64;

const EVENT_ID_PLACEHOLDER = '00000000-0000-4000-8000-000000000000';
const OCCURRED_AT_PLACEHOLDER = '2000-01-01T00:00:00.000+00:00';

/**
 * Bytes of a record whose list is empty: the envelope (with a placeholder
 * `eventId` and `occurredAt` of their full length) and the payload's other
 * fields, plus RECORD_SIZE_SLACK. Pass the draft with its list set to `[]`.
 */
export function emptyRecordBytes(draft: Record<string, unknown>): number {
  return (
    jsonBytes({ ...draft, eventId: EVENT_ID_PLACEHOLDER, occurredAt: OCCURRED_AT_PLACEHOLDER }) +
    RECORD_SIZE_SLACK
  );
}

/** The reason a dataset is unknown because one of its objects cannot fit any record. */
export function oversizedReason(bytes: number, maxBytes = MAX_MESSAGE_BYTES): string {
  return `object of ${bytes} bytes exceeds the ${maxBytes}-byte record limit`;
}

/** An item whose record alone would be over the limit (see SplitOptions.oversized). */
export interface OversizedItem<I> {
  item: I;
  /** The item's JSON bytes. */
  bytes: number;
  /** Position in the input list. */
  index: number;
  maxBytes: number;
}

export interface SplitOptions<I> {
  /** Bytes of the record with an empty list (`emptyRecordBytes`). */
  overheadBytes: number;
  /** Default MAX_MESSAGE_BYTES. */
  maxBytes?: number;
  /**
   * What to publish in place of an item that cannot fit even alone (a trimmed
   * copy, an "unknown" entry), or throw to give the list up. The replacement
   * must fit; a replacement that does not is a producer bug and throws.
   */
  oversized: (found: OversizedItem<I>) => I;
  /** Default jsonBytes. */
  sizeOf?: (item: I) => number;
}

/** A replacement for an oversized item was itself too large. */
export class ItemStillTooLargeError extends Error {
  constructor(bytes: number, maxBytes: number) {
    super(
      `the replacement of an oversized item still needs ${bytes} bytes of a ${maxBytes}-byte record`,
    );
  }
}

/**
 * Greedy split of `items`, in order, into chunks whose record (overhead + the
 * items' JSON + one comma each) stays within `maxBytes`. Pure; an empty list
 * gives no chunk. Every item lands in exactly one chunk, oversized ones as
 * their replacement.
 */
export function splitBySize<I>(items: readonly I[], options: SplitOptions<I>): I[][] {
  const maxBytes = options.maxBytes ?? MAX_MESSAGE_BYTES;
  const sizeOf = options.sizeOf ?? jsonBytes;
  const room = maxBytes - options.overheadBytes;
  if (room <= 0) throw new RangeError(`a record needs ${options.overheadBytes} bytes empty`);
  const chunks: I[][] = [];
  let current: I[] = [];
  let used = 0;
  items.forEach((original, index) => {
    let item = original;
    // one comma per item: an upper bound of the separators
    let bytes = sizeOf(item) + 1;
    if (bytes > room) {
      item = options.oversized({ item: original, bytes: bytes - 1, index, maxBytes });
      bytes = sizeOf(item) + 1;
      if (bytes > room) throw new ItemStillTooLargeError(bytes - 1, maxBytes);
    }
    if (current.length > 0 && used + bytes > room) {
      chunks.push(current);
      current = [];
      used = 0;
    }
    current.push(item);
    used += bytes;
  });
  if (current.length > 0) chunks.push(current);
  return chunks;
}
