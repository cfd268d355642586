type Bytes = string | Buffer;

/** What `batchesUnder` measures of a record: what the broker stores of it. */
export interface SizedRecord {
  value: Bytes | null;
  key?: Bytes | null;
  headers?: Record<string, Bytes | undefined>;
}

/**
 * Upper bound of a record's own framing in a v2 record batch: its length,
 * attributes, timestamp and offset deltas, key and value lengths and header
 * count (varints), beside the bytes of its key, value and headers.
 */
export const RECORD_FRAMING_BYTES = 40;
/** Upper bound of one header's framing (its key and value lengths, varints). */
export const HEADER_FRAMING_BYTES = 10;

const byteLength = (bytes: Bytes | null | undefined) =>
  bytes === null || bytes === undefined ? 0 : Buffer.byteLength(bytes);

/**
 * Bytes a record adds to a record batch, at most: its value, key and headers
 * (names and values, e.g. the `regentra-fence` header) and their framing.
 */
export function recordBytes(record: SizedRecord): number {
  let bytes = RECORD_FRAMING_BYTES + byteLength(record.value) + byteLength(record.key);
  for (const [name, value] of Object.entries(record.headers ?? {}))
    bytes += HEADER_FRAMING_BYTES + Buffer.byteLength(name) + byteLength(value);
  return bytes;
}

/**
 * Groups records, in order, into sends whose records (`recordBytes`: value,
 * key, headers and framing) add up to at most `maxBytes`. kafkajs puts all
 * the records of one send for a partition into one record batch, and the
 * broker refuses a batch over the topic's `max.message.bytes`: one send per
 * group keeps every batch under it (a single record is kept under the limit
 * by the producer's own paging, and the topic's limit leaves room above the
 * largest value for one record's key, headers and framing).
 */
export function batchesUnder<R extends SizedRecord>(
  records: readonly R[],
  maxBytes: number,
): R[][] {
  const batches: R[][] = [];
  let current: R[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = recordBytes(record);
    if (current.length > 0 && bytes + size > maxBytes) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(record);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
