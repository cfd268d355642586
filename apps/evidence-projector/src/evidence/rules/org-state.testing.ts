import type {
  LogFact,
  OrgAppState,
  UserFactor,
  OrgGroupState,
  OrgState,
  OrgUserState,
  SystemLogCoverage,
} from './org-state';

/** Test-only builders of small, hand-checkable org states. */

export const AS_OF = '2025-06-01T12:00:00.000Z';
const AS_OF_MS = Date.parse(AS_OF);
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** ISO time `days` (fractions allowed) before AS_OF. */
export const daysBefore = (days: number): string => new Date(AS_OF_MS - days * DAY).toISOString();
/** ISO time `minutes` after (negative: before) a given time. */
export const minutesAfter = (iso: string, minutes: number): string =>
  new Date(Date.parse(iso) + minutes * MINUTE).toISOString();

export const factor = (
  factorType: string,
  status = 'ACTIVE',
  id = `${factorType}-${status}`,
): UserFactor => ({
  id,
  factorType,
  status,
  provider: 'OKTA',
});

export function user(id: string, overrides: Partial<OrgUserState> = {}): OrgUserState {
  return {
    id,
    login: `${id}@example.com`,
    email: `${id}@example.com`,
    status: 'ACTIVE',
    created: daysBefore(400),
    activated: daysBefore(400),
    statusChanged: daysBefore(400),
    lastLogin: daysBefore(1),
    deactivatedAt: null,
    factors: { status: 'read', items: [] },
    groupIds: ['g-everyone'],
    appAssignments: [],
    adminRoles: { status: 'none' },
    ...overrides,
  };
}

export const everyone = (): OrgGroupState => ({
  id: 'g-everyone',
  name: 'Everyone',
  type: 'BUILT_IN',
  memberCount: 0,
  roles: [],
});

export const group = (id: string, overrides: Partial<OrgGroupState> = {}): OrgGroupState => ({
  id,
  name: id,
  type: 'OKTA_GROUP',
  memberCount: 0,
  roles: [],
  ...overrides,
});

export const app = (id: string, overrides: Partial<OrgAppState> = {}): OrgAppState => ({
  id,
  label: id,
  name: id,
  status: 'ACTIVE',
  userAssignmentCount: 0,
  groupIds: [],
  assignmentsKnown: true,
  ...overrides,
});

let uuidSeq = 0;
export function logEvent(
  eventType: string,
  published: string,
  actorId: string | null,
  overrides: Partial<LogFact> = {},
): LogFact {
  uuidSeq += 1;
  return {
    uuid: `uuid-${String(uuidSeq).padStart(6, '0')}`,
    published,
    eventType,
    actorId,
    outcome: 'SUCCESS',
    targetIds: [],
    ...overrides,
  };
}

export const signIn = (actorId: string | null, published: string, o: Partial<LogFact> = {}) =>
  logEvent('user.session.start', published, actorId, o);
export const mfa = (actorId: string, published: string, o: Partial<LogFact> = {}) =>
  logEvent('user.authentication.auth_via_mfa', published, actorId, o);
export const deactivate = (userId: string, published: string, o: Partial<LogFact> = {}) =>
  logEvent('user.lifecycle.deactivate', published, 'admin-1', { targetIds: [userId], ...o });

/** A System Log read without gaps, polled just before AS_OF. */
export function logCoverage(overrides: Partial<SystemLogCoverage> = {}): SystemLogCoverage {
  return {
    since: '2025-01-01T00:00:00.000Z',
    through: AS_OF,
    lastSuccessfulPollAt: AS_OF,
    polls: 1,
    gaps: [],
    staleAfterHours: 3,
    problems: [],
    ...overrides,
  };
}

export function orgState(overrides: Partial<OrgState> = {}): OrgState {
  return {
    orgId: 'org-1',
    syncId: 'sync-1',
    asOf: AS_OF,
    users: [],
    groups: [everyone()],
    apps: [],
    logs: { events: [] },
    coverage: {
      users: { read: 0, failed: 0 },
      groups: { read: 1, failed: 0 },
      apps: { read: 0, failed: 0 },
      factors: { read: 0, failed: 0 },
      userRoles: { read: 0, failed: 0 },
      roleAssignees: { read: 1, failed: 0 },
      groupMembers: { read: 1, failed: 0 },
      groupRoles: { read: 1, failed: 0 },
      appUsers: { read: 0, failed: 0 },
      appGroups: { read: 0, failed: 0 },
    },
    systemLog: logCoverage(),
    ...overrides,
  };
}

/** Deterministic Fisher–Yates with a small LCG, so a failing shuffle can be replayed. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
