import { startOktaSim, OktaSim } from './index';
import { crawl, manualClock, oktaGet } from './sim-test-helpers';

interface LogEvent {
  uuid: string;
  published: string;
  eventType: string;
  actor: { id: string };
  outcome: { result: string };
}

const DAY = 86_400_000;

describe('okta-sim System Log', () => {
  let sim: OktaSim;
  let lateUuid: string | undefined;
  const clock = manualClock('2026-05-10T08:00:00.000Z');
  beforeAll(async () => {
    sim = await startOktaSim({
      seed: 9,
      users: 120,
      logEvents: 400,
      now: clock.now,
      rateLimits: { logs: 10_000 },
    });
  });
  afterAll(() => sim.close());

  /** Reads a polling query until an empty page; returns events and the checkpoint (last next link). */
  async function drain(
    start: string,
  ): Promise<{ events: LogEvent[]; checkpoint: string; emptyPage: boolean }> {
    const events: LogEvent[] = [];
    let url = start;
    for (;;) {
      const page = await oktaGet<LogEvent[]>(sim, url);
      expect(page.status).toBe(200);
      expect(page.links.next).toBeDefined();
      events.push(...page.body);
      if (page.body.length === 0) return { events, checkpoint: url, emptyPage: true };
      url = page.links.next as string;
    }
  }

  it('polls in visibility order with a next link on every page, even the empty one', async () => {
    const since = new Date(Date.parse('2026-05-10T08:00:00.000Z') - 8 * DAY).toISOString();
    const { events, checkpoint } = await drain(`/api/v1/logs?since=${since}&limit=150`);
    expect(events).toHaveLength(400);
    expect(new Set(events.map((e) => e.uuid)).size).toBe(400);
    const empty = await oktaGet<LogEvent[]>(sim, checkpoint);
    expect(empty.body).toEqual([]);
    // the cursor does not move on an empty page: the same link is re-asked later
    expect(empty.links.next).toBe(checkpoint);
    expect(checkpoint).toMatch(/after=/);
  });

  it('returns a late event (older published, visible later) after the saved cursor', async () => {
    const { checkpoint } = await drain('/api/v1/logs?limit=1000');
    const old = new Date(clock.now().getTime() - 3 * DAY).toISOString();
    const [late] = sim.appendLogEvents([
      { eventType: 'user.lifecycle.deactivate', published: old },
    ]);
    lateUuid = late;
    const [fresh] = sim.appendLogEvents([{ eventType: 'user.session.start' }]);
    const page = await oktaGet<LogEvent[]>(sim, checkpoint);
    expect(page.body.map((e) => e.uuid)).toEqual([late, fresh]);
    expect(page.body[0]?.published).toBe(old);
    expect(Date.parse(page.body[0]?.published ?? '')).toBeLessThan(
      Date.parse(page.body[1]?.published ?? ''),
    );
    const after = await oktaGet<LogEvent[]>(sim, page.links.next as string);
    expect(after.body).toEqual([]);
  });

  it('keeps events hidden until visibleAt, then serves them after the cursor', async () => {
    const { checkpoint } = await drain('/api/v1/logs?limit=1000');
    const [pending] = sim.appendLogEvents(
      [
        {
          eventType: 'user.mfa.factor.activate',
          published: new Date(clock.now().getTime() - 60_000).toISOString(),
        },
      ],
      { visibleAt: new Date(clock.now().getTime() + 30_000) },
    );
    expect((await oktaGet<LogEvent[]>(sim, checkpoint)).body).toEqual([]);
    clock.advance(31_000);
    const page = await oktaGet<LogEvent[]>(sim, checkpoint);
    expect(page.body.map((e) => e.uuid)).toEqual([pending]);
  });

  it('serves bounded queries ordered by published, finite, in both directions', async () => {
    const now = clock.now().getTime();
    const since = new Date(now - 7 * DAY).toISOString();
    const until = new Date(now - 60_000).toISOString();
    const ascending = await crawl<LogEvent>(
      sim,
      `/api/v1/logs?since=${since}&until=${until}&limit=90`,
    );
    expect(ascending.pages).toBeGreaterThanOrEqual(3);
    const published = ascending.items.map((e) => Date.parse(e.published));
    expect(published).toEqual([...published].sort((a, b) => a - b));
    expect(published.every((p) => p >= Date.parse(since) && p < Date.parse(until))).toBe(true);
    // the late event (published 3 days ago) sits in published order, not at the end
    const lateIndex = ascending.items.findIndex((e) => e.uuid === lateUuid);
    expect(lateIndex).toBeGreaterThan(0);
    expect(lateIndex).toBeLessThan(ascending.items.length - 10);
    const descending = await crawl<LogEvent>(
      sim,
      `/api/v1/logs?since=${since}&until=${until}&limit=90&sortOrder=DESCENDING`,
    );
    expect(descending.items.map((e) => e.uuid)).toEqual(
      ascending.items.map((e) => e.uuid).reverse(),
    );
    const last = await oktaGet<LogEvent[]>(
      sim,
      `/api/v1/logs?since=${since}&until=${until}&limit=1000`,
    );
    expect(last.links.next).toBeUndefined();
    expect(last.body).toHaveLength(ascending.items.length);
  });

  it('filters by eventType with or', async () => {
    const filter = encodeURIComponent(
      'eventType eq "user.session.start" or eventType eq "user.authentication.sso"',
    );
    const { events } = await drain(`/api/v1/logs?filter=${filter}&limit=1000`);
    expect(events.length).toBeGreaterThan(0);
    expect(new Set(events.map((e) => e.eventType))).toEqual(
      new Set(['user.session.start', 'user.authentication.sso']),
    );
    const failures = await oktaGet<LogEvent[]>(
      sim,
      `/api/v1/logs?limit=1000&filter=${encodeURIComponent('eventType eq "user.session.start" and outcome.result eq "FAILURE"')}`,
    );
    expect(failures.body.length).toBeGreaterThan(0);
    expect(failures.body.every((e) => e.outcome.result === 'FAILURE')).toBe(true);
  });

  it('drops events older than 90 days and refuses since older than 180 days', async () => {
    const now = clock.now().getTime();
    const [ancient] = sim.appendLogEvents([
      { eventType: 'user.lifecycle.create', published: new Date(now - 100 * DAY).toISOString() },
    ]);
    const since = new Date(now - 170 * DAY).toISOString();
    const bounded = await crawl<LogEvent>(
      sim,
      `/api/v1/logs?since=${since}&until=${new Date(now).toISOString()}&limit=1000`,
    );
    expect(bounded.items.map((e) => e.uuid)).not.toContain(ancient);
    const tooOld = await oktaGet<{ errorCode: string }>(
      sim,
      `/api/v1/logs?since=${new Date(now - 181 * DAY).toISOString()}`,
    );
    expect(tooOld.status).toBe(400);
    expect(tooOld.body.errorCode).toBe('E0000031');
  });

  it.each([
    ['garbage', 'after=not-a-cursor'],
    ['tampered', `after=${Buffer.from('p.1.abcdefghij').toString('base64url')}`],
    ['from the future', 'FUTURE'],
    ['bad since', 'since=yesterday'],
    ['published filter', `filter=${encodeURIComponent('published gt "2026-01-01T00:00:00.000Z"')}`],
    ['bad sortOrder', 'sortOrder=SIDEWAYS'],
  ])('answers 400 E0000031 to a %s parameter', async (_name, query) => {
    let path = `/api/v1/logs?${query}`;
    if (query === 'FUTURE') {
      // a cursor well formed for another, longer log
      const other = await startOktaSim({ seed: 9, users: 120, logEvents: 5000, now: clock.now });
      const page = await oktaGet<LogEvent[]>(
        other,
        '/api/v1/logs?limit=1000&since=2026-01-01T00:00:00.000Z',
      );
      await other.close();
      path = new URL(page.links.next as string).search.replace(/^\?/, '/api/v1/logs?');
    }
    const answer = await oktaGet<{ errorCode: string }>(sim, path);
    expect(answer.status).toBe(400);
    expect(answer.body.errorCode).toBe('E0000031');
  });
});

describe('okta-sim autoGrowLogs', () => {
  it('appends background events over time, visible to a poller after its cursor', async () => {
    const sim = await startOktaSim({
      users: 30,
      logEvents: 10,
      autoGrowLogs: { intervalMs: 40, eventsPerTick: 3 },
    });
    try {
      const first = await oktaGet<LogEvent[]>(sim, '/api/v1/logs?limit=1000');
      expect(first.body.length).toBeGreaterThanOrEqual(10);
      const deadline = Date.now() + 3000;
      let grown: LogEvent[] = [];
      while (grown.length < 6 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        grown = (await oktaGet<LogEvent[]>(sim, first.links.next as string)).body;
      }
      expect(grown.length).toBeGreaterThanOrEqual(6);
      expect(new Set(grown.map((e) => e.uuid)).size).toBe(grown.length);
    } finally {
      await sim.close();
    }
  });
});
