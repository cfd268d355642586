import {
  encodeMessage,
  EncodedRecord,
  IdentityEvent,
  TOPICS,
  withFence,
} from '@regentra/contracts';

/**
 * Test support: a small org history on the identity and System Log topics,
 * written the way the collector writes it (v2 brackets, numbered pages,
 * fence headers), with what the folding of syncs must get right: full and
 * incremental syncs, users deleted (UsersDeleted) and re-appearing, groups
 * and apps going and coming back, a failed sync, completions judged
 * incomplete (a missing page, a wrong base), a superseded lease holder's
 * sync (a lower fence), and two orgs interleaved on one partition.
 */
export const at = (hour: number) => new Date(Date.UTC(2026, 10, 1, hour)).toISOString();

type UserSpec = { id: string; status?: string };
type Basis = { baseSyncId: string; changedSince: string } | null;

const oktaUser = ({ id, status = 'ACTIVE' }: UserSpec) => ({
  id,
  status,
  created: at(0),
  activated: at(0),
  statusChanged: at(0),
  lastLogin: null,
  lastUpdated: at(0),
  profile: { login: `${id}@example.com`, email: `${id}@example.com` },
});
const factor = (id: string, factorType: string) => ({
  id,
  factorType,
  provider: 'OKTA',
  status: 'ACTIVE',
});

interface SyncSpec {
  users: UserSpec[];
  deleted?: string[];
  factors: Array<[string, Array<[string, string]>]>;
  roles: Array<[string, string[]]>;
  groups: Array<[string, string[]]>;
  apps: Array<[string, string[]]>;
  basis?: Basis;
  fence: number;
  /** Publish without this page (by index among the sync's pages): the completion is incomplete. */
  losePage?: number;
  /** Fail instead of completing. */
  fail?: boolean;
}

/** One sync's events, numbered as the collector numbers them. */
export function syncRecords(orgId: string, syncId: string, hour: number, spec: SyncSpec) {
  let seq = 0;
  const basis = spec.basis ?? null;
  const mode = basis ? ('incremental' as const) : ('full' as const);
  const event = (type: IdentityEvent['type'], payload: object, schemaVersion = 1) =>
    withFence(
      encodeMessage(TOPICS.identity, {
        type,
        schemaVersion,
        orgId,
        syncId,
        seq: seq++,
        payload,
      } as never),
      spec.fence,
    );
  const whole = { status: 'read', part: 0, lastPart: true };
  const requestId = `req-${syncId}`;
  const started = event(
    'IdentitySyncStarted',
    {
      requestId,
      trigger: 'schedule',
      startedAt: at(hour),
      oktaDomain: 'acme.okta.com',
      mode,
      fullReason: basis ? null : 'daily full sync',
      basis,
    },
    2,
  );
  const pages: EncodedRecord[] = [
    event('UsersPage', { users: spec.users.map(oktaUser) }),
    ...(spec.deleted ? [event('UsersDeleted', { userIds: spec.deleted })] : []),
    event('UserFactorsBatch', {
      users: spec.factors.map(([userId, items]) => ({
        userId,
        status: 'read',
        items: items.map(([id, type]) => factor(id, type)),
      })),
    }),
    event('UserRolesBatch', {
      users: spec.roles.map(([userId, types]) => ({
        userId,
        status: 'read',
        items: types.map((type) => ({ id: `r-${type}`, type, assignmentType: 'USER' })),
      })),
    }),
    event('GroupsPage', {
      groups: spec.groups.map(([id]) => ({
        id,
        type: 'OKTA_GROUP',
        profile: { name: `Group ${id}` },
      })),
    }),
    ...spec.groups.map(([groupId, memberIds]) =>
      event('GroupMembers', { groupId, ...whole, memberIds }),
    ),
    event('AppsPage', {
      apps: spec.apps.map(([id]) => ({ id, label: `App ${id}`, name: 'oidc', status: 'ACTIVE' })),
    }),
    ...spec.apps.flatMap(([appId, userIds]) => [
      event('AppUserAssignments', {
        appId,
        ...whole,
        assignments: userIds.map((id) => ({ id, scope: 'USER', status: 'ACTIVE' })),
      }),
      event('AppGroupAssignments', { appId, ...whole, assignments: [] }),
    ]),
  ];
  const outcome = spec.fail
    ? event('IdentitySyncFailed', {
        requestId,
        failedAt: at(hour + 1),
        reason: 'okta_unavailable',
        retryable: true,
        message: 'Okta answered 500',
      })
    : event(
        'IdentitySyncCompleted',
        {
          requestId,
          completedAt: at(hour + 1),
          counts: { users: spec.users.length },
          coverage: {},
          lastSeq: seq - 1,
          mode,
          basis,
          reads: basis
            ? {
                logEvents: 3,
                users: { byLastUpdated: spec.users.length, byEvent: 0 },
                factors: spec.factors.length,
                groupMembers: spec.groups.length,
                groupRoles: 0,
                appAssignments: spec.apps.length,
              }
            : null,
        },
        2,
      );
  return [started, ...pages.filter((_, i) => i !== spec.losePage), outcome];
}

const users = (...ids: string[]): UserSpec[] => ids.map((id) => ({ id }));

/** The identity topic's records, in the order they are published (one partition). */
export function identityHistory(): EncodedRecord[] {
  const A = 'org-fold-a';
  const B = 'org-fold-b';
  const factorsOf = (...ids: string[]): Array<[string, Array<[string, string]>]> =>
    ids.map((id) => [id, id === 'u3' ? [] : [[`f-${id}`, 'push']]]);
  const a1 = {
    users: [...users('u1', 'u2', 'u3', 'u5'), { id: 'u4', status: 'DEPROVISIONED' }],
    factors: factorsOf('u1', 'u2', 'u3', 'u4', 'u5'),
    roles: [['u1', ['SUPER_ADMIN']]] as Array<[string, string[]]>,
    groups: [
      ['g1', ['u1', 'u2', 'u4']],
      ['g2', ['u3']],
    ] as Array<[string, string[]]>,
    apps: [
      ['a1', ['u1', 'u4']],
      ['a2', ['u2']],
    ] as Array<[string, string[]]>,
    fence: 1,
  };
  const b = (fence: number, ...ids: string[]) => ({
    users: users(...ids),
    factors: factorsOf(...ids),
    roles: [],
    groups: [['gb', ids.slice(0, 1)]] as Array<[string, string[]]>,
    apps: [['ab', ids]] as Array<[string, string[]]>,
    fence,
  });
  // s2: u4 gone (removed), g2 gone, u1 suspended, u6 new.
  const a2 = {
    ...a1,
    users: [{ id: 'u1', status: 'SUSPENDED' }, ...users('u2', 'u3', 'u5', 'u6')],
    factors: factorsOf('u1', 'u2', 'u3', 'u5', 'u6'),
    groups: [['g1', ['u1', 'u2', 'u6']]] as Array<[string, string[]]>,
  };
  // s3 on s2: u5 deleted, u2 re-read with a new factor, u3 an org admin.
  const a3 = {
    users: users('u2'),
    deleted: ['u5'],
    factors: [['u2', [['f-u2b', 'webauthn']]]] as Array<[string, Array<[string, string]>]>,
    roles: [['u3', ['ORG_ADMIN']]] as Array<[string, string[]]>,
    groups: [['g1', ['u1', 'u2', 'u3', 'u6']]] as Array<[string, string[]]>,
    apps: a1.apps,
    basis: { baseSyncId: 'a-s2', changedSince: at(4) },
    fence: 2,
  };
  // s4: u4 and g2 back, u3 gone, a2 gone.
  const a4 = {
    ...a1,
    users: [...users('u1', 'u2', 'u4', 'u6')],
    factors: factorsOf('u1', 'u2', 'u4', 'u6'),
    groups: [
      ['g1', ['u1', 'u6']],
      ['g2', ['u4']],
    ] as Array<[string, string[]]>,
    apps: [['a1', ['u1', 'u4', 'u6']]] as Array<[string, string[]]>,
    fence: 2,
  };
  // s8 on s4: u2 deleted, u7 new; s9 full: u3 back; s10 on s9: u6 suspended.
  const a8 = {
    users: users('u7'),
    deleted: ['u2'],
    factors: factorsOf('u7'),
    roles: [],
    groups: a4.groups,
    apps: [['a1', ['u1', 'u4', 'u7']]] as Array<[string, string[]]>,
    basis: { baseSyncId: 'a-s4', changedSince: at(12) },
    fence: 3,
  };
  const a9 = {
    ...a4,
    users: users('u1', 'u3', 'u4', 'u6', 'u7'),
    factors: factorsOf('u1', 'u3', 'u4', 'u6', 'u7'),
    fence: 3,
  };
  const a10 = {
    users: [{ id: 'u6', status: 'SUSPENDED' }],
    factors: [],
    roles: [],
    groups: a4.groups,
    apps: a4.apps,
    basis: { baseSyncId: 'a-s9', changedSince: at(32) },
    fence: 3,
  };
  return [
    ...syncRecords(A, 'a-s1', 0, a1),
    ...syncRecords(B, 'b-s1', 0, b(1, 'v1', 'v2')),
    ...syncRecords(A, 'a-s2', 4, a2),
    ...syncRecords(A, 'a-s3', 8, a3),
    // A superseded lease holder (fence 1 after 2): ignored, whatever it says.
    ...syncRecords(A, 'a-zombie', 9, { ...a1, users: users('u9'), factors: [], fence: 1 }),
    ...syncRecords(B, 'b-s2', 6, b(1, 'v2', 'v3')),
    ...syncRecords(A, 'a-s4', 12, a4),
    ...syncRecords(A, 'a-s5', 16, { ...a4, fail: true }),
    // Incremental on a sync that is not the last applied one: incomplete.
    ...syncRecords(A, 'a-s6', 18, {
      ...a8,
      fence: 2,
      basis: { baseSyncId: 'a-s3', changedSince: at(8) },
    }),
    // A lost page: incomplete.
    ...syncRecords(A, 'a-s7', 20, { ...a4, losePage: 2 }),
    ...syncRecords(A, 'a-s8', 24, a8),
    ...syncRecords(A, 'a-s9', 32, a9),
    ...syncRecords(A, 'a-s10', 36, a10),
  ];
}

/** The System Log of org A: sign-ins, MFA, a delete, between its syncs. */
export function systemLogHistory(): EncodedRecord[] {
  const orgId = 'org-fold-a';
  const poll = (type: string, payload: object) =>
    encodeMessage(TOPICS.systemLog, {
      type,
      schemaVersion: 1,
      orgId,
      syncId: 'poll-1',
      payload,
    } as never);
  const event = (
    uuid: string,
    eventType: string,
    hour: number,
    actor: string,
    targets: string[],
  ) => ({
    uuid,
    published: at(hour),
    eventType,
    actor: { id: actor, type: 'User' },
    outcome: { result: 'SUCCESS' },
    target: targets.map((id) => ({ id, type: id.startsWith('g') ? 'UserGroup' : 'User' })),
  });
  const events = [
    event('e-signin-1', 'user.session.start', 2, 'u1', []),
    event('e-mfa-1', 'user.authentication.auth_via_mfa', 2, 'u1', []),
    event('e-signin-2', 'user.session.start', 5, 'u2', []),
    event('e-delete', 'user.lifecycle.delete.completed', 7, 'admin-9', ['u5']),
    event('e-deact', 'user.lifecycle.deactivate', 11, 'admin-9', ['u3']),
    event('e-signin-3', 'user.session.start', 26, 'u7', []),
  ];
  return [
    poll('SystemLogPollStarted', { requestId: 'p1', startedAt: at(30), mode: 'polling' }),
    poll('SystemLogBatch', { events }),
    poll('SystemLogPollCompleted', {
      requestId: 'p1',
      completedAt: at(30),
      published: events.length,
      duplicatesDropped: 0,
      oldestPublished: at(2),
      newestPublished: at(26),
      mode: 'polling',
    }),
  ];
}
