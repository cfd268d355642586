import {
  identitySlot,
  nextFullIdentitySync,
  nextIdentitySlot,
  nextSystemLogSlot,
  scheduledRequestId,
  systemLogSlot,
} from './schedule-slots';

describe('schedule slots (UTC)', () => {
  it.each([
    ['2026-11-28T00:00:00.000Z', '2026-11-28T00:00:00.000Z', '2026-11-28T04:00:00.000Z'],
    ['2026-11-28T03:59:59.999Z', '2026-11-28T00:00:00.000Z', '2026-11-28T04:00:00.000Z'],
    ['2026-11-28T04:00:00.350Z', '2026-11-28T04:00:00.000Z', '2026-11-28T08:00:00.000Z'],
    ['2026-11-28T23:10:00.000Z', '2026-11-28T20:00:00.000Z', '2026-11-29T00:00:00.000Z'],
  ])('identity tick at %s belongs to %s, next %s', (now, slot, next) => {
    expect(identitySlot(new Date(now)).toISOString()).toBe(slot);
    expect(nextIdentitySlot(new Date(now)).toISOString()).toBe(next);
  });

  it.each([
    ['2026-11-28T10:30:00.200Z', '2026-11-28T10:30:00.000Z', '2026-11-28T11:30:00.000Z'],
    ['2026-11-28T10:29:59.000Z', '2026-11-28T09:30:00.000Z', '2026-11-28T10:30:00.000Z'],
    ['2026-11-28T00:05:00.000Z', '2026-11-27T23:30:00.000Z', '2026-11-28T00:30:00.000Z'],
  ])('log tick at %s belongs to %s, next %s', (now, slot, next) => {
    expect(systemLogSlot(new Date(now)).toISOString()).toBe(slot);
    expect(nextSystemLogSlot(new Date(now)).toISOString()).toBe(next);
  });

  it('gives every instance the same request id for one org and slot', () => {
    const a = scheduledRequestId(
      'org-1',
      'identity',
      identitySlot(new Date('2026-11-28T04:00:00.010Z')),
    );
    const b = scheduledRequestId(
      'org-1',
      'identity',
      identitySlot(new Date('2026-11-28T04:00:01.900Z')),
    );
    expect(a).toBe(b);
    expect(scheduledRequestId('org-2', 'identity', new Date(0))).not.toBe(
      scheduledRequestId('org-1', 'identity', new Date(0)),
    );
  });
});

describe('when the next full identity sync is due', () => {
  const at = (iso: string) => new Date(iso);
  it('is the next 00:00 UTC slot after a recent full sync', () => {
    expect(
      nextFullIdentitySync(at('2031-03-04T09:10:00Z'), [0], at('2031-03-04T00:00:00Z'), 25),
    ).toEqual(at('2031-03-05T00:00:00Z'));
  });
  it('is when the last full sync ages out, if that comes first', () => {
    expect(
      nextFullIdentitySync(at('2031-03-04T09:10:00Z'), [0], at('2031-03-03T06:00:00Z'), 25),
    ).toEqual(at('2031-03-04T07:00:00Z'));
  });
  it('is now when there was never a full sync', () => {
    const now = at('2031-03-04T09:10:00Z');
    expect(nextFullIdentitySync(now, [0], null, 25)).toEqual(now);
  });
});
