import { EncodedRecord } from '@regentra/contracts';
import { at, Basis, factor, logEvent, logPoll, syncOf, UserSpec } from './identity-topic';

/**
 * Test support: a small org history on the identity and System Log topics,
 * written the way the collector writes it (current brackets, numbered pages,
 * fence headers), with what the folding of syncs must get right: full and
 * incremental syncs, users deleted (UsersDeleted) and re-appearing, groups
 * and apps going and coming back, a failed sync, completions judged
 * incomplete (a missing page, a wrong base), a superseded lease holder's
 * sync (a lower fence), and two orgs interleaved on one partition.
 */

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

/** One sync's records, as the collector publishes them. */
function syncRecords(orgId: string, syncId: string, hour: number, spec: SyncSpec) {
  const s = syncOf(orgId, syncId, hour, { basis: spec.basis ?? null, fence: spec.fence });
  const started = s.started();
  const pages: EncodedRecord[] = [
    s.users(spec.users),
    ...(spec.deleted ? [s.deleted(spec.deleted)] : []),
    s.factors(
      spec.factors.map(([userId, items]) => [userId, items.map(([id, type]) => factor(id, type))]),
    ),
    s.roles(spec.roles),
    s.groups(spec.groups.map(([id]) => id)),
    ...spec.groups.map(([groupId, memberIds]) => s.members(groupId, memberIds)),
    s.apps(spec.apps.map(([id]) => id)),
    ...spec.apps.flatMap(([appId, userIds]) => [
      s.appUsers(appId, userIds),
      s.appGroups(appId, []),
    ]),
  ];
  const outcome = spec.fail
    ? s.failed()
    : s.completed({ counts: { users: spec.users.length }, reads: { logEvents: 3 } });
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
export const systemLogHistory = (): EncodedRecord[] =>
  logPoll('org-fold-a', 30, [
    logEvent('e-signin-1', 'user.session.start', 2, [], { actor: 'u1' }),
    logEvent('e-mfa-1', 'user.authentication.auth_via_mfa', 2, [], { actor: 'u1' }),
    logEvent('e-signin-2', 'user.session.start', 5, [], { actor: 'u2' }),
    logEvent('e-delete', 'user.lifecycle.delete.completed', 7, ['u5']),
    logEvent('e-deact', 'user.lifecycle.deactivate', 11, ['u3']),
    logEvent('e-signin-3', 'user.session.start', 26, [], { actor: 'u7' }),
  ]);
