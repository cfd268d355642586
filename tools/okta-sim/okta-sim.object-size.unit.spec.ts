import { startOktaSim, OktaSim, OktaLogEvent } from './index';
import { ENROLLED_SIGN_IN_MFA_SHARE } from './log-generator';
import { crawl } from './sim-test-helpers';

const NOW = '2026-03-01T12:00:00.000Z';
const fixedNow = () => new Date(NOW);
const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

interface Sized {
  id: string;
}

describe('okta-sim object sizes and sign-in flows', () => {
  const sims: OktaSim[] = [];
  afterAll(async () => {
    await Promise.all(sims.map((sim) => sim.close()));
  });
  async function start(opts: Parameters<typeof startOktaSim>[0]): Promise<OktaSim> {
    const sim = await startOktaSim({ seed: 3, users: 300, now: fixedNow, ...opts });
    sims.push(sim);
    return sim;
  }

  async function sizes(sim: OktaSim) {
    const users = (await crawl<Sized>(sim, '/api/v1/users?limit=200')).items.map(bytes);
    const app = sim.org.apps.find((a) => a.directUsers.size > 0) ?? sim.org.apps[0];
    const appUsers = (await crawl<Sized>(sim, `/api/v1/apps/${app?.id}/users?limit=500`)).items;
    const logs = (
      await crawl<OktaLogEvent>(
        sim,
        '/api/v1/logs?limit=1000&since=2026-02-20T00:00:00Z&until=2026-03-01T12:00:00Z',
      )
    ).items;
    return { users, appUsers: appUsers.map(bytes), logs: logs.map(bytes) };
  }

  it('realistic mode: users 2–5 KB, app users 1–2 KB, log events 2–4 KB; small mode stays small', async () => {
    const realistic = await sizes(await start({ objectSize: 'realistic' }));
    const small = await sizes(await start({}));
    expect(realistic.users.length).toBeGreaterThan(250);
    expect(realistic.appUsers.length).toBeGreaterThan(0);
    expect(realistic.logs.length).toBeGreaterThan(500);
    for (const size of realistic.users) {
      expect(size).toBeGreaterThanOrEqual(2_000);
      expect(size).toBeLessThanOrEqual(5_120);
    }
    for (const size of realistic.appUsers) {
      expect(size).toBeGreaterThanOrEqual(1_000);
      expect(size).toBeLessThanOrEqual(2_048);
    }
    for (const size of realistic.logs) {
      expect(size).toBeGreaterThanOrEqual(2_000);
      expect(size).toBeLessThanOrEqual(4_096);
    }
    expect(Math.max(...small.users)).toBeLessThan(2_000);
    expect(Math.max(...small.appUsers)).toBeLessThan(1_000);
  });

  it('is the same JSON on every request (sizes do not drift between pages of one sync)', async () => {
    const sim = await start({ objectSize: 'realistic' });
    const first = (await crawl<Sized>(sim, '/api/v1/users?limit=200')).items;
    const again = (await crawl<Sized>(sim, '/api/v1/users?limit=200')).items;
    expect(JSON.stringify(again)).toBe(JSON.stringify(first));
  });

  it('logs sign-ins of enrolled users with their MFA verification in the same session and transaction', async () => {
    const sim = await start({ users: 1_000 });
    const events = (
      await crawl<OktaLogEvent>(
        sim,
        '/api/v1/logs?limit=1000&since=2026-02-20T00:00:00Z&until=2026-03-01T12:00:00Z',
      )
    ).items;
    const enrolled = new Set(
      sim.org.users.filter((u) => u.factors.some((f) => f.status === 'ACTIVE')).map((u) => u.id),
    );
    const key = (e: OktaLogEvent) =>
      `${e.actor.id}|${e.authenticationContext.externalSessionId}|${e.transaction.id}`;
    const verified = new Set(
      events
        .filter((e) => e.eventType === 'user.authentication.auth_via_mfa')
        .filter((e) => e.outcome.result === 'SUCCESS')
        .map(key),
    );
    const signIns = events.filter(
      (e) => e.eventType === 'user.session.start' && e.outcome.result === 'SUCCESS',
    );
    const ofEnrolled = signIns.filter((e) => enrolled.has(e.actor.id));
    const ofOthers = signIns.filter((e) => !enrolled.has(e.actor.id));
    expect(ofEnrolled.length).toBeGreaterThan(200);
    const share = ofEnrolled.filter((e) => verified.has(key(e))).length / ofEnrolled.length;
    expect(share).toBeGreaterThan(ENROLLED_SIGN_IN_MFA_SHARE - 0.1);
    expect(share).toBeLessThan(ENROLLED_SIGN_IN_MFA_SHARE + 0.1);
    expect(ofOthers.filter((e) => verified.has(key(e)))).toEqual([]);
  });
});
