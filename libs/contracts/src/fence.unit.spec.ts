import { encodeMessage, FENCE_HEADER, readFenceHeader, TOPICS, withFence } from './index';

const record = encodeMessage(TOPICS.identity, {
  type: 'ConnectionStateChanged',
  schemaVersion: 1,
  orgId: 'org-1',
  payload: { state: 'connected', changedAt: '2026-01-01T00:00:00.000Z' },
});

describe('the regentra-fence header', () => {
  it('is added beside the other headers as a decimal string, the value untouched', () => {
    const fenced = withFence(record, 42);
    expect(fenced.headers).toEqual({ ...record.headers, [FENCE_HEADER]: '42' });
    expect(fenced.value).toBe(record.value);
    expect(record.headers[FENCE_HEADER]).toBeUndefined(); // a copy, not a mutation
    expect(() => withFence(record, 1.5)).toThrow(RangeError);
    expect(() => withFence(record, -1)).toThrow(RangeError);
  });

  it('reads back what was written, and absent as null', () => {
    expect(readFenceHeader(Buffer.from('42'))).toEqual({ ok: true, fence: 42 });
    expect(readFenceHeader('0')).toEqual({ ok: true, fence: 0 });
    expect(readFenceHeader([Buffer.from('7')])).toEqual({ ok: true, fence: 7 });
    expect(readFenceHeader(undefined)).toEqual({ ok: true, fence: null });
  });

  it.each([['x'], ['-1'], ['1.5'], ['07'], [' 7'], [''], ['99999999999999999999']])(
    'refuses %j',
    (text) => {
      expect(readFenceHeader(Buffer.from(text))).toMatchObject({ ok: false });
    },
  );

  it('refuses a header that repeats', () => {
    const read = readFenceHeader([Buffer.from('5'), Buffer.from('6')]);
    expect(read).toEqual({ ok: false, reason: `invalid ${FENCE_HEADER} header: ["5","6"]` });
  });
});
