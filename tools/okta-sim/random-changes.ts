/**
 * Reproducible random changes for property tests: a seeded mix of every kind
 * of change the simulator models, each valid for the org as it is at that
 * moment (only deprovisioned users are deleted, only inactive apps, never the
 * token owner, never a removal from Everyone…), each writing the System Log
 * events Okta writes for it.
 */
import { FACTOR_TYPES } from './factor-catalog';
import { SimApp, SimGroup, SimOrg, SimUser } from './model';
import { GRANTABLE_ROLES, OrgMutations, RecordedEvent } from './org-mutations';
import { Prng } from './prng';

export const CHANGE_KINDS = [
  'user.activate',
  'user.suspend',
  'user.unsuspend',
  'user.lock',
  'user.unlock',
  'user.deactivate',
  'user.reactivate',
  'user.delete',
  'factor.enroll',
  'factor.remove',
  'factor.reset',
  'group.member.add',
  'group.member.remove',
  'group.delete',
  'app.user.assign',
  'app.user.unassign',
  'app.group.assign',
  'app.group.unassign',
  'app.activate',
  'app.deactivate',
  'app.delete',
  'role.user.grant',
  'role.user.revoke',
  'role.group.grant',
  'role.group.revoke',
] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** One applied change: what was done, to which objects, and the events it logged. */
export interface AppliedChange {
  kind: ChangeKind;
  userId?: string;
  groupId?: string;
  appId?: string;
  factorId?: string;
  factorType?: string;
  roleType?: string;
  /** The System Log events written, in order. */
  events: RecordedEvent[];
}

/** Deletions are rarer, so a long run does not empty the org. */
const WEIGHTS: Readonly<Record<ChangeKind, number>> = {
  'user.activate': 2,
  'user.suspend': 3,
  'user.unsuspend': 3,
  'user.lock': 2,
  'user.unlock': 2,
  'user.deactivate': 3,
  'user.reactivate': 2,
  'user.delete': 1,
  'factor.enroll': 4,
  'factor.remove': 3,
  'factor.reset': 2,
  'group.member.add': 4,
  'group.member.remove': 3,
  'group.delete': 0.5,
  'app.user.assign': 3,
  'app.user.unassign': 3,
  'app.group.assign': 2,
  'app.group.unassign': 2,
  'app.activate': 1,
  'app.deactivate': 1,
  'app.delete': 0.5,
  'role.user.grant': 2,
  'role.user.revoke': 2,
  'role.group.grant': 1,
  'role.group.revoke': 1,
};

/** Deletes stop when this few groups (besides Everyone) or apps are left. */
const MIN_GROUPS = 3;
const MIN_APPS = 2;

type Change = Omit<AppliedChange, 'events'>;
/** Draws one change of a kind from the current org and applies it; null when none is possible. */
type Planner = (prng: Prng) => (() => Change) | null;

function pickOr<T>(prng: Prng, items: readonly T[]): T | null {
  return items.length === 0 ? null : prng.pick(items);
}

function planners(org: SimOrg, m: OrgMutations): Record<ChangeKind, Planner> {
  const users = (pred: (user: SimUser) => boolean) =>
    org.users.filter((user) => user.id !== org.tokenOwnerId && pred(user));
  const withStatus = (...statuses: string[]) => users((u) => statuses.includes(u.status));
  const oktaGroups = () => org.groups.filter((group) => group.type === 'OKTA_GROUP');
  const deletableGroups = () => org.groups.filter((group) => group.type !== 'BUILT_IN');
  const apps = (pred: (app: SimApp) => boolean) => org.apps.filter(pred);
  const status =
    (kind: ChangeKind, from: string[], apply: (id: string) => void): Planner =>
    (prng) => {
      const user = pickOr(prng, withStatus(...from));
      return user && (() => (apply(user.id), { kind, userId: user.id }));
    };
  /** Pairs (a, b) where b is drawn from `options(a)`; a is drawn among those with options. */
  const pair = <A, B>(
    prng: Prng,
    firsts: readonly A[],
    options: (a: A) => readonly B[],
  ): [A, B] | null => {
    const viable = firsts.filter((a) => options(a).length > 0);
    const a = pickOr(prng, viable);
    return a === null ? null : [a, prng.pick(options(a))];
  };
  const groupRoleHolders = () => org.groups.filter((group) => group.roles.length > 0);

  return {
    'user.activate': status('user.activate', ['STAGED', 'PROVISIONED'], (id) =>
      m.setUserStatus(id, 'ACTIVE'),
    ),
    'user.suspend': status('user.suspend', ['ACTIVE'], (id) => m.suspendUser(id)),
    'user.unsuspend': status('user.unsuspend', ['SUSPENDED'], (id) => m.unsuspendUser(id)),
    'user.lock': status('user.lock', ['ACTIVE'], (id) => m.setUserStatus(id, 'LOCKED_OUT')),
    'user.unlock': status('user.unlock', ['LOCKED_OUT'], (id) => m.setUserStatus(id, 'ACTIVE')),
    'user.deactivate': status(
      'user.deactivate',
      [
        'STAGED',
        'PROVISIONED',
        'ACTIVE',
        'RECOVERY',
        'LOCKED_OUT',
        'PASSWORD_EXPIRED',
        'SUSPENDED',
      ],
      (id) => m.deactivateUser(id),
    ),
    'user.reactivate': status('user.reactivate', ['DEPROVISIONED'], (id) => m.reactivateUser(id)),
    'user.delete': status('user.delete', ['DEPROVISIONED'], (id) => m.deleteUser(id)),
    'factor.enroll': (prng) => {
      const found = pair(prng, withStatus('ACTIVE'), (user) =>
        FACTOR_TYPES.filter((type) => !user.factors.some((f) => f.factorType === type)),
      );
      if (!found) return null;
      const [user, factorType] = found;
      return () => ({
        kind: 'factor.enroll',
        userId: user.id,
        factorType,
        factorId: m.enrollFactor(user.id, factorType),
      });
    },
    'factor.remove': (prng) => {
      const found = pair(
        prng,
        users((u) => u.factors.length > 0),
        (user) => user.factors,
      );
      if (!found) return null;
      const [user, factor] = found;
      const byUser = prng.chance(0.5) && user.status === 'ACTIVE';
      return () => {
        m.removeFactor(user.id, factor.id, { byUser });
        return {
          kind: 'factor.remove',
          userId: user.id,
          factorId: factor.id,
          factorType: factor.factorType,
        };
      };
    },
    'factor.reset': (prng) => {
      const user = pickOr(
        prng,
        users((u) => u.factors.length > 0),
      );
      return user && (() => (m.resetFactors(user.id), { kind: 'factor.reset', userId: user.id }));
    },
    'group.member.add': (prng) => {
      const candidates = users((u) => u.status !== 'DEPROVISIONED');
      const found = pair(prng, oktaGroups(), (group) =>
        candidates.filter((user) => !group.members.has(user.id)),
      );
      if (!found) return null;
      const [group, user] = found;
      return () => (
        m.addGroupMember(group.id, user.id),
        { kind: 'group.member.add', groupId: group.id, userId: user.id }
      );
    },
    'group.member.remove': (prng) => {
      const found = pair(prng, oktaGroups(), (group) =>
        group.memberIds.filter((id) => id !== org.tokenOwnerId),
      );
      if (!found) return null;
      const [group, userId] = found;
      return () => (
        m.removeGroupMember(group.id, userId),
        { kind: 'group.member.remove', groupId: group.id, userId }
      );
    },
    'group.delete': (prng) => {
      const groups = deletableGroups();
      const group = groups.length > MIN_GROUPS ? pickOr(prng, groups) : null;
      return (
        group && (() => (m.deleteGroup(group.id), { kind: 'group.delete', groupId: group.id }))
      );
    },
    'app.user.assign': (prng) => {
      const candidates = users((u) => u.status !== 'DEPROVISIONED');
      const found = pair(
        prng,
        apps((a) => a.status === 'ACTIVE'),
        (app) => candidates.filter((user) => !app.directUsers.has(user.id)),
      );
      if (!found) return null;
      const [app, user] = found;
      return () => (
        m.assignAppUser(app.id, user.id),
        { kind: 'app.user.assign', appId: app.id, userId: user.id }
      );
    },
    'app.user.unassign': (prng) => {
      const found = pair(
        prng,
        apps(() => true),
        (app) => [...app.directUsers.keys()].filter((id) => id !== org.tokenOwnerId),
      );
      if (!found) return null;
      const [app, userId] = found;
      return () => (
        m.unassignAppUser(app.id, userId),
        { kind: 'app.user.unassign', appId: app.id, userId }
      );
    },
    'app.group.assign': (prng) => {
      const found = pair(
        prng,
        apps((a) => a.status === 'ACTIVE'),
        (app) =>
          deletableGroups().filter((group) => !app.groups.some((g) => g.groupId === group.id)),
      );
      if (!found) return null;
      const [app, group] = found;
      return () => (
        m.assignAppGroup(app.id, group.id),
        { kind: 'app.group.assign', appId: app.id, groupId: group.id }
      );
    },
    'app.group.unassign': (prng) => {
      const builtIn = new Set(
        org.groups.filter((group) => group.type === 'BUILT_IN').map((group) => group.id),
      );
      const found = pair(
        prng,
        apps(() => true),
        (app) => app.groups.map((g) => g.groupId).filter((id) => !builtIn.has(id)),
      );
      if (!found) return null;
      const [app, groupId] = found;
      return () => (
        m.unassignAppGroup(app.id, groupId),
        { kind: 'app.group.unassign', appId: app.id, groupId }
      );
    },
    'app.activate': (prng) => {
      const app = pickOr(
        prng,
        apps((a) => a.status === 'INACTIVE'),
      );
      return app && (() => (m.activateApp(app.id), { kind: 'app.activate', appId: app.id }));
    },
    'app.deactivate': (prng) => {
      const app = pickOr(
        prng,
        apps((a) => a.status === 'ACTIVE'),
      );
      return app && (() => (m.deactivateApp(app.id), { kind: 'app.deactivate', appId: app.id }));
    },
    'app.delete': (prng) => {
      const sources = new Set(org.groups.map((group) => group.sourceAppId));
      const app =
        org.apps.length > MIN_APPS
          ? pickOr(
              prng,
              apps((a) => a.status === 'INACTIVE' && !sources.has(a.id)),
            )
          : null;
      return app && (() => (m.deleteApp(app.id), { kind: 'app.delete', appId: app.id }));
    },
    'role.user.grant': (prng) => {
      const found = pair(prng, withStatus('ACTIVE'), (user) =>
        GRANTABLE_ROLES.filter((type) => !user.roles.some((role) => role.type === type)),
      );
      if (!found) return null;
      const [user, roleType] = found;
      return () => (
        m.grantUserRole(user.id, roleType),
        { kind: 'role.user.grant', userId: user.id, roleType }
      );
    },
    'role.user.revoke': (prng) => {
      const found = pair(
        prng,
        users((u) => u.roles.length > 0),
        (user) => user.roles,
      );
      if (!found) return null;
      const [user, role] = found;
      return () => (
        m.revokeUserRole(user.id, role.id),
        { kind: 'role.user.revoke', userId: user.id, roleType: role.type }
      );
    },
    'role.group.grant': (prng) => {
      const found = pair(prng, oktaGroups(), (group: SimGroup) =>
        GRANTABLE_ROLES.filter((type) => !group.roles.some((role) => role.type === type)),
      );
      if (!found) return null;
      const [group, roleType] = found;
      return () => (
        m.grantGroupRole(group.id, roleType),
        { kind: 'role.group.grant', groupId: group.id, roleType }
      );
    },
    'role.group.revoke': (prng) => {
      const found = pair(prng, groupRoleHolders(), (group) => group.roles);
      if (!found) return null;
      const [group, role] = found;
      return () => (
        m.revokeGroupRole(group.id, role.id),
        { kind: 'role.group.revoke', groupId: group.id, roleType: role.type }
      );
    },
  };
}

/**
 * Applies `count` random valid changes drawn from `seed` (or a Prng) and
 * returns what it did. Same org state and seed, same changes. Stops early
 * only if no kind of change is possible any more.
 */
export function applyRandomChanges(
  org: SimOrg,
  mutations: OrgMutations,
  seed: number | Prng,
  count: number,
): AppliedChange[] {
  const prng = typeof seed === 'number' ? new Prng(seed) : seed;
  const plan = planners(org, mutations);
  const applied: AppliedChange[] = [];
  while (applied.length < count) {
    let kinds = CHANGE_KINDS.map((kind) => [kind, WEIGHTS[kind]] as const);
    let change: (() => Change) | null = null;
    while (!change && kinds.length > 0) {
      const kind = prng.weighted(kinds);
      change = plan[kind](prng);
      if (!change) kinds = kinds.filter(([other]) => other !== kind);
    }
    if (!change) break;
    const { result, events } = mutations.capture(change);
    applied.push({ ...result, events });
  }
  return applied;
}
