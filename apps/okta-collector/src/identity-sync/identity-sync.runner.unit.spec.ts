import {
  decodeMessage,
  encodeMessage,
  EncodedRecord,
  IdentityEvent,
  MAX_MESSAGE_BYTES,
  OktaAppUser,
  OktaFactor,
  OktaUser,
  TOPICS,
} from '@regentra/contracts';
import type { EventPublisher } from '../kafka/event-publisher';
import { OktaForbiddenError, OktaRateLimitWaitTooLongError } from '../okta-client/okta-errors';
import { IDENTITY_DATASETS } from './datasets';
import { IdentitySyncRunner, IdentitySyncResult, IncrementalScope } from './identity-sync.runner';
import { OktaDirectory } from './okta-directory';
import { SyncEventWriter } from './sync-event-writer';
import { RunStopSignal } from '../sync-runs/run-stop';

/**
 * The runner over an in-memory directory, publishing through the real codec
 * (encodeMessage refuses any record over MAX_MESSAGE_BYTES): lists are split
 * by bytes, and an object no record can hold is trimmed or made unknown.
 */

const pad = (bytes: number) => 'x'.repeat(bytes);
const user = (i: number, extraBytes = 2500): OktaUser => ({
  id: `00u${String(i).padStart(17, '0')}`,
  status: 'ACTIVE',
  created: '2025-01-01T00:00:00.000Z',
  lastLogin: null,
  profile: {
    login: `u${i}@x.test`,
    email: `u${i}@x.test`,
    firstName: 'F',
    lastName: 'L',
    custom: pad(extraBytes),
  },
});
const appUser = (u: OktaUser, extraBytes = 1300): OktaAppUser => ({
  id: u.id,
  scope: 'USER',
  status: 'ACTIVE',
  profile: { mapped: pad(extraBytes) },
});
const factor = (i: number): OktaFactor => ({ id: `f${i}`, factorType: 'push', status: 'ACTIVE' });

interface FakeOrg {
  users: OktaUser[];
  factors?: Map<string, OktaFactor[]>;
  appUsers: OktaAppUser[];
}

async function* pagesOf<T>(items: T[], size: number): AsyncIterable<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

const FACTORS_CALL = IDENTITY_DATASETS.factors.call;

/** `listById` answering each call (`IDENTITY_DATASETS[key].call`) with its fake; any other call answers []. */
const byCall =
  (lists: Record<string, (id: string) => Promise<unknown[]>>): OktaDirectory['listById'] =>
  async <T>(call: string, id: string) =>
    ((await lists[call]?.(id)) ?? []) as T[];

function directory(org: FakeOrg): OktaDirectory {
  return {
    listUsers: () => pagesOf(org.users, 200),
    listUsersUpdatedSince: () => pagesOf([], 200),
    getUser: async () => null,
    listLogEventsSince: () => pagesOf([], 1000),
    listById: byCall({ [FACTORS_CALL]: async (id) => org.factors?.get(id) ?? [] }),
    listRoleAssigneeUsers: () => pagesOf<string>([], 100),
    listGroups: () => pagesOf([{ id: '00g1', type: 'OKTA_GROUP', profile: { name: 'g' } }], 200),
    listGroupMembers: () => pagesOf(org.users, 200),
    listGroupRoles: async () => [],
    listApps: () => pagesOf([{ id: '0oa1', name: 'app', label: 'App', status: 'ACTIVE' }], 200),
    listAppUsers: () => pagesOf(org.appUsers, 500),
    listAppGroups: () => pagesOf([], 200),
  };
}

async function sync(
  org: FakeOrg,
  over: Partial<OktaDirectory> = {},
  incremental: IncrementalScope | null = null,
) {
  const records: EncodedRecord[] = [];
  const publisher = {
    publish: async (_topic: string, drafts: unknown[]) => {
      for (const draft of drafts) records.push(encodeMessage(TOPICS.identity, draft as never));
    },
  } as unknown as EventPublisher;
  const writer = new SyncEventWriter(
    publisher,
    'org-1',
    'sync-1',
    1,
    async () => true,
    new RunStopSignal(),
  );
  const result = await new IdentitySyncRunner(
    { ...directory(org), ...over },
    writer,
    async () => undefined,
    4,
    incremental,
  ).run();
  const events = records.map((r) => {
    const decoded = decodeMessage(TOPICS.identity, r.value, r.key);
    if (!decoded.ok) throw new Error(decoded.reason);
    return decoded.message;
  });
  return { result, records, events };
}

const ofType = <T extends IdentityEvent['type']>(events: IdentityEvent[], type: T) =>
  events.filter((e): e is Extract<IdentityEvent, { type: T }> => e.type === type);

describe('IdentitySyncRunner: records sized by bytes', () => {
  it('publishes 600 app users of ~1.4 KB (500 per Okta page) in parts under the cap, none lost', async () => {
    const users = Array.from({ length: 600 }, (_, i) => user(i));
    const { result, records, events } = await sync({
      users,
      appUsers: users.map((u) => appUser(u)),
    });
    expect(Math.max(...records.map((r) => Buffer.byteLength(r.value)))).toBeLessThanOrEqual(
      MAX_MESSAGE_BYTES,
    );
    const parts = ofType(events, 'AppUserAssignments');
    expect(parts.length).toBeGreaterThan(2);
    expect(parts.map((p) => p.payload.part)).toEqual(parts.map((_, i) => i));
    expect(parts.map((p) => p.payload.lastPart)).toEqual(
      parts.map((_, i) => i === parts.length - 1),
    );
    expect(parts.flatMap((p) => p.payload.assignments.map((a) => a.id))).toEqual(
      users.map((u) => u.id),
    );
    expect(ofType(events, 'UsersPage').flatMap((e) => e.payload.users)).toHaveLength(600);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
    expect(result.counts.appUserAssignments).toBe(600);
    expect(Object.values(result.coverage).every((c) => c.failed === 0)).toBe(true);
  });

  it('publishes a user too large for any record as a marked trimmed copy and counts it failed', async () => {
    const users = [user(1), user(2, 700_000), user(3)];
    const { result, events } = await sync({ users, appUsers: [] });
    const published = ofType(events, 'UsersPage').flatMap((e) => e.payload.users);
    expect(published.map((u) => u.id)).toEqual(users.map((u) => u.id));
    const trimmed = published[1]!;
    expect(trimmed.profile).toEqual({
      login: 'u2@x.test',
      email: 'u2@x.test',
      firstName: 'F',
      lastName: 'L',
    });
    expect(trimmed).toMatchObject({
      status: 'ACTIVE',
      regentraTrimmed: {
        reason: expect.stringMatching(/^object of \d+ bytes exceeds the 524288-byte record limit$/),
      },
    });
    expect(result.coverage.users).toEqual({ read: 2, failed: 1 });
    expect(result.counts.users).toBe(3);
  });

  it("makes a user's factors unknown, with the reason, when they cannot fit a record", async () => {
    const users = [user(1), user(2)];
    const huge = Array.from({ length: 6000 }, (_, i) => ({
      ...factor(i),
      profile: { blob: pad(100) },
    }));
    const { result, events } = await sync({
      users,
      factors: new Map([
        [users[1]!.id, huge],
        [users[0]!.id, [factor(1)]],
      ]),
      appUsers: [],
    });
    const entries = ofType(events, 'UserFactorsBatch').flatMap((e) => e.payload.users);
    expect(entries[0]).toMatchObject({ userId: users[0]!.id, status: 'read' });
    expect(entries[1]).toEqual({
      userId: users[1]!.id,
      status: 'unknown',
      reason: expect.stringMatching(/^object of \d+ bytes exceeds the 524288-byte record limit$/),
    });
    expect(result.coverage.factors).toEqual({ read: 1, failed: 1 });
    expect(result.counts.factors).toBe(1);
  });

  it("makes an app's assignments unknown when one of them cannot fit a record", async () => {
    const users = Array.from({ length: 3 }, (_, i) => user(i));
    const appUsers = [appUser(users[0]!), appUser(users[1]!, 600_000), appUser(users[2]!)];
    const { result, events } = await sync({ users, appUsers });
    const parts = ofType(events, 'AppUserAssignments');
    const last = parts[parts.length - 1]!;
    expect(last.payload).toMatchObject({
      status: 'unknown',
      lastPart: true,
      reason: expect.stringMatching(/^object of \d+ bytes exceeds the 524288-byte record limit$/),
    });
    expect(result.coverage.appUsers).toEqual({ read: 0, failed: 1 });
    expect(ofType(events, 'IdentitySyncFailed')).toHaveLength(0);
  });

  it('ends the sync (not one user) when a rate-limit Reset is beyond what a sync may wait', async () => {
    const parked = new OktaRateLimitWaitTooLongError({
      status: 429,
      endpoint: 'GET /api/v1/users/{id}/factors',
    });
    const run = sync(
      { users: [user(1)], appUsers: [] },
      {
        listById: byCall({
          [FACTORS_CALL]: async () => {
            throw parked;
          },
        }),
      },
    );
    await expect(run).rejects.toBe(parked);
  });
});

describe('IdentitySyncRunner: objects it could not read', () => {
  const users = [user(1), user(2), user(3)];
  const victim = users[1]!.id;
  const org: FakeOrg = {
    users,
    factors: new Map(users.map((u, i) => [u.id, [factor(i)]])),
    appUsers: [],
  };
  /** The factors calls a sync made, and the factor reads of one user failing (403) or not. */
  const factorsOf = (failing: ReadonlySet<string>) => {
    const calls: string[] = [];
    const over: Partial<OktaDirectory> = {
      listById: byCall({
        [FACTORS_CALL]: async (id) => {
          calls.push(id);
          if (failing.has(id))
            throw new OktaForbiddenError({
              status: 403,
              endpoint: 'GET /api/v1/users/{id}/factors',
            });
          return org.factors?.get(id) ?? [];
        },
      }),
    };
    return { calls, over };
  };
  /** An incremental sync on top of `base`, with nothing changed in Okta since. */
  const onTopOf = (base: IdentitySyncResult): IncrementalScope => ({
    changedSince: '2031-01-01T00:00:00.000Z',
    baseRoleHolders: new Set(base.roleHolderIds),
    unread: base.unread,
  });
  const factorEntries = (events: IdentityEvent[]) =>
    ofType(events, 'UserFactorsBatch').flatMap((e) => e.payload.users);

  it('given factors of one user that always fail, when the full sync runs, then it records that user unread', async () => {
    const failing = factorsOf(new Set([victim]));
    const { result } = await sync(org, failing.over);
    expect(failing.calls).toHaveLength(3);
    expect(result.coverage.factors).toEqual({ read: 2, failed: 1 });
    expect(result.unread.factors).toEqual([victim]);
    expect(Object.values(result.unread).flat()).toEqual([victim]);
  });

  it('given a base that could not read them, when the next incremental runs, then it re-reads exactly those factors, and heals once the read succeeds', async () => {
    const full = await sync(org, factorsOf(new Set([victim])).over);

    const again = factorsOf(new Set([victim]));
    const second = await sync(org, again.over, onTopOf(full.result));
    expect(again.calls).toEqual([victim]);
    expect(second.result.reads?.factors).toBe(1);
    expect(second.result.rereadUnread.factors).toBe(1);
    expect(second.result.coverage.factors).toEqual({ read: 0, failed: 1 });
    expect(second.result.unread.factors).toEqual([victim]);
    expect(factorEntries(second.events)).toEqual([
      { userId: victim, status: 'unknown', reason: expect.stringMatching(/HTTP 403/) },
    ]);

    const healed = factorsOf(new Set());
    const third = await sync(org, healed.over, onTopOf(second.result));
    expect(healed.calls).toEqual([victim]);
    expect(third.result.coverage.factors).toEqual({ read: 1, failed: 0 });
    expect(third.result.unread.factors).toEqual([]);
    expect(factorEntries(third.events)).toEqual([
      { userId: victim, status: 'read', items: org.factors?.get(victim) },
    ]);

    const clean = factorsOf(new Set());
    await sync(org, clean.over, onTopOf(third.result));
    expect(clean.calls).toEqual([]);
  });

  it('given a base that published a user trimmed, when the next incremental runs, then that user is read again by id', async () => {
    const big = [user(1), user(2, 700_000)];
    const full = await sync({ users: big, appUsers: [] });
    expect(full.result.unread.users).toEqual([big[1]!.id]);
    const asked: string[] = [];
    const next = await sync(
      { users: big, appUsers: [] },
      {
        getUser: async (id) => {
          asked.push(id);
          return big.find((u) => u.id === id) ?? null;
        },
      },
      onTopOf(full.result),
    );
    expect(asked).toEqual([big[1]!.id]);
    expect(next.result.coverage.users).toEqual({ read: 0, failed: 1 });
    expect(next.result.unread.users).toEqual([big[1]!.id]);
  });
});
