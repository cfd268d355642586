import { batchesUnder, HEADER_FRAMING_BYTES, RECORD_FRAMING_BYTES, recordBytes } from './batches';

const record = (bytes: number, id: number) => ({ id, value: 'x'.repeat(bytes) });

describe('batchesUnder', () => {
  it('keeps order and puts as many records in a send as fit under the limit', () => {
    const records = [record(400, 1), record(400, 2), record(300, 3), record(900, 4), record(1, 5)];
    const batches = batchesUnder(records, 1_000);
    expect(batches.map((b) => b.map((r) => r.id))).toEqual([[1, 2], [3], [4, 5]]);
    for (const batch of batches)
      expect(batch.reduce((n, r) => n + recordBytes(r), 0)).toBeLessThanOrEqual(1_000);
  });

  it('sends a record as large as the limit alone, and nothing for no records', () => {
    expect(batchesUnder([record(10, 1), record(1_000, 2)], 1_000).map((b) => b.length)).toEqual([
      1, 1,
    ]);
    expect(batchesUnder([], 1_000)).toEqual([]);
  });

  it('counts bytes, not characters', () => {
    const wide = { value: 'é'.repeat(300) }; // 600 bytes
    expect(batchesUnder([wide, wide], 1_000)).toHaveLength(2);
  });

  it('counts the key and the headers (the fence header too), not only the value', () => {
    const bare = { value: 'x'.repeat(400) };
    const keyed = {
      value: 'x'.repeat(400),
      key: 'org-1',
      headers: { 'event-type': 'UsersPage', 'regentra-fence': '12' },
    };
    expect(recordBytes(bare)).toBe(400 + RECORD_FRAMING_BYTES);
    expect(recordBytes(keyed)).toBe(
      400 +
        RECORD_FRAMING_BYTES +
        'org-1'.length +
        2 * HEADER_FRAMING_BYTES +
        'event-type'.length +
        'UsersPage'.length +
        'regentra-fence'.length +
        '12'.length,
    );
    // Two bare records fit this limit; the same values with their keys and headers do not.
    const limit = 2 * recordBytes(bare) + 10;
    expect(batchesUnder([bare, bare], limit)).toHaveLength(1);
    expect(batchesUnder([keyed, keyed], limit)).toHaveLength(2);
  });
});
