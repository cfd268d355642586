/**
 * Groups records, in order, into sends whose values add up to at most
 * `maxBytes`. kafkajs puts all the records of one send for a partition into one
 * record batch, and the broker refuses a batch over the topic's
 * `max.message.bytes`: one send per group keeps every batch under it (a single
 * record is kept under the limit by the producer's own paging).
 */
export function batchesUnder<R extends { value: string | Buffer | null }>(
  records: readonly R[],
  maxBytes: number,
): R[][] {
  const batches: R[][] = [];
  let current: R[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = record.value === null ? 0 : Buffer.byteLength(record.value);
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
