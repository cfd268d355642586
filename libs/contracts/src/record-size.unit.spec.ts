import {
  emptyRecordBytes,
  encodeMessage,
  ItemStillTooLargeError,
  jsonBytes,
  MAX_MESSAGE_BYTES,
  OktaAppUser,
  splitBySize,
  TOPICS,
  trimLogEvent,
  trimUser,
} from './index';

const appUser = (i: number, pad: number): OktaAppUser => ({
  id: `00u${String(i).padStart(17, '0')}`,
  scope: 'USER',
  status: 'ACTIVE',
  profile: { blob: 'x'.repeat(pad) },
});

const draftOf = (assignments: OktaAppUser[], part = 0, lastPart = false) => ({
  type: 'AppUserAssignments' as const,
  schemaVersion: 1 as const,
  orgId: 'org-1',
  syncId: 'sync-1',
  seq: 123_456,
  payload: { appId: '0oa1', status: 'read' as const, part, lastPart, assignments },
});

describe('splitBySize', () => {
  const never = () => {
    throw new Error('no item is oversized here');
  };

  it('splits by encoded bytes, not count: 500 app users of ~1.5 KB become records under the cap', () => {
    const items = Array.from({ length: 500 }, (_, i) => appUser(i, 1400 + (i % 7) * 50));
    const overheadBytes = emptyRecordBytes(draftOf([]));
    const chunks = splitBySize(items, { overheadBytes, oversized: never });
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.flat()).toEqual(items);
    for (const [part, chunk] of chunks.entries()) {
      const record = encodeMessage(
        TOPICS.identity,
        draftOf(chunk, part, part === chunks.length - 1),
      );
      expect(Buffer.byteLength(record.value)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    }
    // greedy: every chunk but the last is full (the next item would not have fit)
    for (let i = 0; i < chunks.length - 1; i++) {
      const next = chunks[i + 1]![0]!;
      const bytes = overheadBytes + chunks[i]!.reduce((n, it) => n + jsonBytes(it) + 1, 0);
      expect(bytes + jsonBytes(next) + 1).toBeGreaterThan(MAX_MESSAGE_BYTES);
    }
  });

  it('keeps small lists in one chunk and gives no chunk for an empty list', () => {
    const items = Array.from({ length: 1000 }, (_, i) => appUser(i, 10));
    expect(splitBySize(items, { overheadBytes: 300, oversized: never })).toHaveLength(1);
    expect(splitBySize([], { overheadBytes: 300, oversized: never })).toEqual([]);
  });

  it('respects a small maxBytes exactly at the boundary', () => {
    // room 16 − 10 = 6 bytes; a 1-digit number costs 1 byte + 1 comma: three per record
    const items = [1, 2, 3, 4, 5, 6, 7];
    const chunks = splitBySize(items, { overheadBytes: 10, maxBytes: 16, oversized: never });
    expect(chunks).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
  });

  it('hands an item too large for any record to `oversized` and publishes its replacement in order', () => {
    const items = [appUser(1, 10), appUser(2, 600_000), appUser(3, 10)];
    const seen: Array<{ index: number; bytes: number }> = [];
    const chunks = splitBySize(items, {
      overheadBytes: 500,
      oversized: ({ item, index, bytes }) => {
        seen.push({ index, bytes });
        return { id: item.id, scope: item.scope, trimmed: true };
      },
    });
    expect(seen).toEqual([{ index: 1, bytes: jsonBytes(items[1]) }]);
    expect(chunks.flat().map((a) => a.id)).toEqual(items.map((a) => a.id));
    expect(chunks.flat()[1]).toMatchObject({ trimmed: true });
  });

  it('lets `oversized` give the list up by throwing, and refuses a replacement that still does not fit', () => {
    const items = [appUser(1, 600_000)];
    expect(() =>
      splitBySize(items, {
        overheadBytes: 500,
        oversized: () => {
          throw new Error('dataset unknown');
        },
      }),
    ).toThrow('dataset unknown');
    expect(() => splitBySize(items, { overheadBytes: 500, oversized: ({ item }) => item })).toThrow(
      ItemStillTooLargeError,
    );
  });
});

describe('trimmed copies', () => {
  it('keep what evidence reads of a user, with a marker', () => {
    const user = {
      id: '00u1',
      status: 'ACTIVE',
      created: '2025-01-01T00:00:00.000Z',
      lastLogin: null,
      type: { id: 'oty1' },
      profile: { login: 'a@x', email: 'a@x', firstName: 'A', lastName: 'B', huge: 'x'.repeat(1e6) },
      _links: { self: { href: 'x' } },
    };
    const trimmed = trimUser(user, jsonBytes(user));
    expect(trimmed).toEqual({
      id: '00u1',
      status: 'ACTIVE',
      created: '2025-01-01T00:00:00.000Z',
      lastLogin: null,
      type: { id: 'oty1' },
      profile: { login: 'a@x', email: 'a@x', firstName: 'A', lastName: 'B' },
      regentraTrimmed: {
        originalBytes: jsonBytes(user),
        reason: `object of ${jsonBytes(user)} bytes exceeds the ${MAX_MESSAGE_BYTES}-byte record limit`,
      },
    });
  });

  it('keep the facts of a System Log event, dropping debugContext', () => {
    const event = {
      uuid: 'u1',
      published: '2025-01-01T00:00:00.000Z',
      eventType: 'user.session.start',
      actor: { id: '00u1', type: 'User' },
      outcome: { result: 'SUCCESS' },
      authenticationContext: { externalSessionId: 's1' },
      transaction: { id: 't1' },
      debugContext: { debugData: { blob: 'x'.repeat(1e6) } },
    };
    const trimmed = trimLogEvent(event, jsonBytes(event));
    expect(trimmed).not.toHaveProperty('debugContext');
    expect(trimmed).toMatchObject({
      uuid: 'u1',
      eventType: 'user.session.start',
      actor: { id: '00u1' },
      authenticationContext: { externalSessionId: 's1' },
      regentraTrimmed: { originalBytes: jsonBytes(event) },
    });
  });
});
