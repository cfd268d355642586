import { AppliedChange, CHANGE_KINDS, ChangeKind, OktaSim, startOktaSim } from './index';
import { crawl, manualClock, oktaGet, truthOverHttp, withoutCounts } from './sim-test-helpers';

/** What each kind of change must log (README, "Changes and the events they log"). */
const EXPECTED_EVENTS: Record<ChangeKind, string[]> = {
  'user.activate': ['user.lifecycle.activate'],
  'user.suspend': ['user.lifecycle.suspend'],
  'user.unsuspend': ['user.lifecycle.unsuspend'],
  'user.lock': ['user.account.lock'],
  'user.unlock': ['user.account.unlock'],
  'user.deactivate': ['user.lifecycle.deactivate'],
  'user.reactivate': ['user.lifecycle.reactivate'],
  'user.delete': ['user.lifecycle.delete.initiated', 'user.lifecycle.delete.completed'],
  'factor.enroll': ['user.mfa.factor.activate'],
  'factor.remove': ['user.mfa.factor.deactivate'],
  'factor.reset': ['user.mfa.factor.reset_all'],
  'group.member.add': ['group.user_membership.add'],
  'group.member.remove': ['group.user_membership.remove'],
  'group.delete': ['group.lifecycle.delete'],
  'app.user.assign': ['application.user_membership.add'],
  'app.user.unassign': ['application.user_membership.remove'],
  'app.group.assign': ['group.application_assignment.add'],
  'app.group.unassign': ['group.application_assignment.remove'],
  'app.activate': ['application.lifecycle.activate'],
  'app.deactivate': ['application.lifecycle.deactivate'],
  'app.delete': ['application.lifecycle.delete'],
  'role.user.grant': ['user.account.privilege.grant'],
  'role.user.revoke': ['user.account.privilege.revoke'],
  'role.group.grant': ['group.privilege.grant'],
  'role.group.revoke': ['group.privilege.revoke'],
};

const START = '2026-06-04T12:00:00.000Z';
const LIMITS = { other: 100_000, apps: 100_000, groups: 100_000, logs: 100_000 };

async function freshSim(): Promise<{ sim: OktaSim; clock: ReturnType<typeof manualClock> }> {
  const clock = manualClock(START);
  const sim = await startOktaSim({ seed: 23, users: 160, now: clock.now, rateLimits: LIMITS });
  return { sim, clock };
}

/** Applies `rounds` batches, the clock a second further for each. */
function run(
  sim: OktaSim,
  clock: ReturnType<typeof manualClock>,
  seed: number,
  rounds: number,
  perRound: number,
): AppliedChange[] {
  const changes: AppliedChange[] = [];
  for (let round = 0; round < rounds; round++) {
    clock.advance(1000);
    changes.push(...sim.applyRandomChanges(seed + round, perRound));
  }
  return changes;
}

describe('okta-sim random changes', () => {
  let a: { sim: OktaSim; clock: ReturnType<typeof manualClock> };
  let b: { sim: OktaSim; clock: ReturnType<typeof manualClock> };
  let changes: AppliedChange[];
  beforeAll(async () => {
    a = await freshSim();
    b = await freshSim();
    changes = run(a.sim, a.clock, 1000, 40, 10);
  });
  afterAll(async () => {
    await a.sim.close();
    await b.sim.close();
  });

  it('is deterministic: same org and seed, same changes, same events, same org afterwards', () => {
    const again = run(b.sim, b.clock, 1000, 40, 10);
    expect(again).toEqual(changes);
    expect(b.sim.groundTruth()).toEqual(a.sim.groundTruth());
  });

  it('a different seed makes different changes', async () => {
    const c = await freshSim();
    try {
      const other = c.sim.applyRandomChanges(999, 30);
      expect(other.map((x) => [x.kind, x.userId, x.groupId, x.appId])).not.toEqual(
        changes.slice(0, 30).map((x) => [x.kind, x.userId, x.groupId, x.appId]),
      );
    } finally {
      await c.sim.close();
    }
  });

  it('covers every kind of change over 400 steps, each logging its events', () => {
    expect(changes).toHaveLength(400);
    const seen = new Set(changes.map((change) => change.kind));
    expect([...CHANGE_KINDS].filter((kind) => !seen.has(kind))).toEqual([]);
    for (const change of changes)
      expect([change.kind, change.events.map((e) => e.eventType)]).toEqual([
        change.kind,
        EXPECTED_EVENTS[change.kind],
      ]);
  });

  it('never touches the token owner, whose token keeps working', async () => {
    const owner = a.sim.org.tokenOwnerId;
    expect(changes.filter((change) => change.userId === owner)).toEqual([]);
    expect((await oktaGet(a.sim, '/api/v1/users/me')).status).toBe(200);
  });

  it('every logged event is returned by a System Log query since the start', async () => {
    // bounded query: `until` is exclusive, so one ms past the last change
    const until = new Date(a.clock.now().getTime() + 1).toISOString();
    const logged = await crawl<{ uuid: string; eventType: string }>(
      a.sim,
      `/api/v1/logs?since=${START}&until=${until}&limit=1000`,
    );
    const byUuid = new Map(logged.items.map((e) => [e.uuid, e.eventType]));
    const written = changes.flatMap((change) => change.events);
    expect(written.filter((e) => byUuid.get(e.uuid) !== e.eventType)).toEqual([]);
    expect(byUuid.size).toBe(written.length);
  });

  it('leaves the ground truth equal to what the HTTP API lists', async () => {
    expect(await truthOverHttp(a.sim)).toEqual(withoutCounts(a.sim.groundTruth()));
  });
});
