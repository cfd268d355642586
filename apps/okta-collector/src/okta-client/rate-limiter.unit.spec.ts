import { FakeTime, flush } from './fake-time.testing';
import { classifyBucket, OktaRateLimiter, parseRateHeaders, type RateTicket } from './rate-limiter';

describe('classifyBucket', () => {
  it.each([
    ['/api/v1/users', 'users-list'],
    ['/api/v1/users?limit=200&after=x', 'users-list'],
    ['https://acme.okta.com/api/v1/users?filter=status%20eq%20%22DEPROVISIONED%22', 'users-list'],
    ['/api/v1/users/00u1', 'user-get'],
    ['/api/v1/users/me', 'user-get'],
    ['/api/v1/users/00u1/factors', 'other'],
    ['/api/v1/users/00u1/roles', 'other'],
    ['/api/v1/groups', 'groups'],
    ['/api/v1/groups/00g1/users?limit=200', 'groups'],
    ['/api/v1/groups/00g1/roles', 'groups'],
    ['/api/v1/groups/00g1', 'other'],
    ['/api/v1/apps', 'apps'],
    ['/api/v1/apps/0oa1/users', 'apps'],
    ['/api/v1/apps/0oa1/groups', 'apps'],
    ['/api/v1/logs?since=x', 'logs'],
    ['/api/v1/iam/assignees/users', 'other'],
    ['/.well-known/okta-organization', 'other'],
  ])('GET %s → %s', (path, bucket) => {
    expect(classifyBucket('GET', path)).toBe(bucket);
  });
});

describe('parseRateHeaders', () => {
  it('reads limit, remaining, reset and Date', () => {
    expect(
      parseRateHeaders({
        'x-rate-limit-limit': '600',
        'x-rate-limit-remaining': '599',
        'x-rate-limit-reset': '1700000060',
        date: 'Tue, 14 Nov 2023 22:13:20 GMT',
      }),
    ).toEqual({ limit: 600, remaining: 599, reset: 1700000060, dateMs: 1700000000000 });
    expect(parseRateHeaders({ 'x-rate-limit-limit': 'abc' })).toEqual({
      limit: undefined,
      remaining: undefined,
      reset: undefined,
      dateMs: undefined,
    });
  });
});

/** Server clock used by these tests: epoch ms, on whole seconds at t=0. */
const SERVER_T0 = 1_800_000_000_000;

describe('OktaRateLimiter (injected clock)', () => {
  let time: FakeTime;
  let limiter: OktaRateLimiter;
  /** The server's clock runs `skew` ms ahead of the local wall clock. */
  const serverHeaders = (
    limit: number,
    remaining: number,
    resetInS: number,
    windowStart = SERVER_T0,
  ) => ({
    limit,
    remaining,
    reset: windowStart / 1000 + resetInS,
    dateMs: Math.floor((SERVER_T0 + time.t) / 1000) * 1000,
  });

  beforeEach(() => {
    time = new FakeTime();
    time.wallBase = 0; // the local wall clock is wildly wrong: only the Date header may be used
    limiter = new OktaRateLimiter({
      maxShare: 0.45,
      clock: time.clock,
      sleep: time.sleep,
      random: () => 0.5,
    });
  });
  afterEach(() => limiter.close());

  function take(
    bucket: 'other' | 'users-list',
    n: number,
  ): { granted: RateTicket[]; all: Promise<RateTicket>[] } {
    const granted: RateTicket[] = [];
    const all: Promise<RateTicket>[] = [];
    for (let i = 0; i < n; i++) {
      const p = limiter.acquire(bucket);
      p.then(
        (t) => granted.push(t),
        () => undefined,
      );
      all.push(p);
    }
    return { granted, all };
  }

  it('probes with small concurrency until the first answer', async () => {
    const { granted } = take('other', 10);
    await flush();
    expect(granted).toHaveLength(2);
    limiter.onResponse(granted[0] as RateTicket, 200, serverHeaders(100, 99, 60));
    await flush();
    expect(granted).toHaveLength(10); // then flows at full speed
  });

  it('spends exactly maxShare of the window at full speed, then waits for Reset computed from Date', async () => {
    const { granted } = take('other', 60);
    await flush();
    limiter.onResponse(granted[0] as RateTicket, 200, serverHeaders(100, 99, 60));
    await flush();
    // floor(100 * 0.45) = 45 calls in this window, none spaced out
    expect(granted).toHaveLength(45);
    expect(time.t).toBe(0);
    for (const t of granted.slice(1)) limiter.onResponse(t, 200, serverHeaders(100, 55, 60));
    await time.advance(59_999);
    expect(granted).toHaveLength(45);
    await time.advance(1);
    // new window (per our estimate): one probe first
    expect(granted).toHaveLength(46);
    limiter.onResponse(granted[45] as RateTicket, 200, serverHeaders(100, 99, 120));
    await flush();
    expect(granted).toHaveLength(60);
  });

  it('counts requests still in flight against the window (no overshoot with concurrency)', async () => {
    const { granted } = take('other', 100);
    await flush();
    // the first answer reports 99 left after 1 call; 1 more is already out
    limiter.onResponse(granted[0] as RateTicket, 200, serverHeaders(100, 99, 60));
    await flush();
    expect(granted).toHaveLength(45);
    // a late answer from a request sent early shows another consumer used 20 calls
    limiter.onResponse(granted[1] as RateTicket, 200, serverHeaders(100, 78, 60));
    await flush();
    expect(
      limiter.snapshot().find((b) => b.bucket === 'other')?.estimatedRemaining,
    ).toBeLessThanOrEqual(55);
    expect(granted).toHaveLength(45);
  });

  it('a 429 waits until Reset plus jitter (from the Date header) and blocks the bucket', async () => {
    const { granted } = take('users-list', 3);
    await flush();
    const v = limiter.onResponse(granted[0] as RateTicket, 429, serverHeaders(600, 0, 42));
    expect(v).toEqual({ kind: 'rate-limited', waitMs: 42_000 + 500 });
    await flush();
    expect(granted).toHaveLength(2);
    await time.advance(42_000);
    expect(granted).toHaveLength(3);
  });

  it('uses the Date header, not the local clock, even when the server clock is skewed', async () => {
    // the server is 1 h ahead of the wall clock; the wait is still 30 s
    const { granted } = take('users-list', 2);
    await flush();
    const v = limiter.onResponse(granted[0] as RateTicket, 429, {
      limit: 10,
      remaining: 0,
      reset: (SERVER_T0 + 3_600_000) / 1000 + 30,
      dateMs: SERVER_T0 + 3_600_000,
    });
    expect(v.kind).toBe('rate-limited');
    expect(v.kind === 'rate-limited' && v.waitMs).toBe(30_500);
  });

  it('a concurrency 429 (Limit 0 / Remaining 0) asks for a brief back-off without touching the window', () => {
    return (async () => {
      const { granted } = take('other', 1);
      await flush();
      const v = limiter.onResponse(granted[0] as RateTicket, 429, serverHeaders(0, 0, 60));
      expect(v).toEqual({ kind: 'concurrency-limited' });
      expect(limiter.snapshot()[0]?.concurrency429).toBe(1);
    })();
  });

  it('does not throttle a bucket that answers without rate-limit headers', async () => {
    const { granted } = take('other', 20);
    await flush();
    limiter.onResponse(granted[0] as RateTicket, 200, { dateMs: SERVER_T0 });
    await flush();
    expect(granted).toHaveLength(20);
  });

  it('an error answer without headers does not switch pacing off', async () => {
    const { granted } = take('other', 20);
    await flush();
    limiter.onResponse(granted[0] as RateTicket, 502, { dateMs: SERVER_T0 });
    await flush();
    expect(granted).toHaveLength(3); // still probing two at a time, not flooding
    limiter.onResponse(granted[1] as RateTicket, 200, { dateMs: SERVER_T0 });
    await flush();
    expect(granted).toHaveLength(20); // a 2xx without headers: nothing to pace on
  });

  it('re-checks with a short delay when the server says the window has not reset yet', async () => {
    const { granted } = take('other', 50);
    await flush();
    limiter.onResponse(granted[0] as RateTicket, 200, serverHeaders(10, 9, 5));
    await flush();
    expect(granted).toHaveLength(4); // floor(10 * .45) = 4
    await time.advance(5_000);
    expect(granted).toHaveLength(5); // single probe
    // the server still reports the old window with 2 left
    limiter.onResponse(granted[4] as RateTicket, 200, serverHeaders(10, 2, 5));
    await flush();
    expect(granted).toHaveLength(5);
    await time.advance(250);
    expect(granted).toHaveLength(6);
    limiter.onResponse(granted[5] as RateTicket, 200, serverHeaders(10, 9, 10));
    await flush();
    expect(granted.length).toBeGreaterThanOrEqual(9);
  });

  it('close() rejects waiters', async () => {
    const { all } = take('other', 3);
    await flush();
    limiter.close();
    await expect(all[2]).rejects.toThrow('closed');
  });
});
