import type { ControlEvidence } from './control-evidence.types';
import type { ControlId } from './controls.registry';
import { CONTROL_IDS } from './controls.registry';
import { computeEvidence } from './evidence';
import { EvidenceInputError } from './evidence-context';
import type { OrgState, OrgUserState } from './org-state';
import {
  app,
  daysBefore,
  deactivate,
  everyone,
  factor,
  group,
  mfa,
  minutesAfter,
  orgState,
  shuffled,
  signIn,
  user,
} from './org-state.testing';

function richState(): OrgState {
  const users: OrgUserState[] = [
    user('u1', {
      factors: {
        status: 'read',
        items: [factor('push'), factor('sms', 'PENDING_ACTIVATION'), factor('webauthn')],
      },
      groupIds: ['g-everyone', 'g-eng', 'g-admins'],
      appAssignments: [
        { appId: 'app-1', scope: 'USER', status: 'ACTIVE' },
        { appId: 'app-2', scope: 'GROUP', status: 'ACTIVE' },
      ],
      adminRoles: {
        status: 'read',
        items: [
          { type: 'SUPER_ADMIN', assignmentType: 'GROUP' },
          { type: 'CUSTOM', label: 'Z role', assignmentType: 'USER' },
          { type: 'CUSTOM', label: 'A role', assignmentType: 'USER' },
        ],
      },
    }),
    user('u2', { login: 'same@example.com', factors: { status: 'unknown', reason: 'r' } }),
    user('u0', { login: 'same@example.com', status: 'RECOVERY' }),
    user('u3', {
      login: null,
      status: 'DEPROVISIONED',
      statusChanged: daysBefore(3),
      groupIds: ['g-eng', 'g-everyone'],
    }),
    user('u4', { status: 'SUSPENDED', created: daysBefore(10), activated: daysBefore(9) }),
    user('u5', { adminRoles: { status: 'unknown', reason: 'E0000006' } }),
  ];
  const s = daysBefore(2);
  return orgState({
    users,
    groups: [
      everyone(),
      group('g-eng', { memberCount: 2 }),
      group('g-admins', { memberCount: 1, roles: ['SUPER_ADMIN', 'APP_ADMIN'] }),
      group('g-nameless', { name: null, memberCount: null }),
    ],
    apps: [
      app('app-1', { userAssignmentCount: 1, groupIds: ['g-eng', 'g-admins'] }),
      app('app-2', { label: null, userAssignmentCount: 1 }),
    ],
    logs: {
      events: [
        signIn('u1', s),
        mfa('u1', minutesAfter(s, 1)),
        signIn('u1', minutesAfter(s, 2)),
        signIn('u2', daysBefore(1)),
        signIn('u2', daysBefore(1), { outcome: 'FAILURE' }),
        deactivate('u3', daysBefore(3.5)),
      ],
    },
  });
}

/** The same org, every list in another order (coverage keys too). */
function reordered(state: OrgState, seed: number): OrgState {
  return {
    ...state,
    users: shuffled(state.users, seed).map((u, i) => ({
      ...u,
      groupIds: shuffled(u.groupIds, seed + i),
      appAssignments: shuffled(u.appAssignments, seed + i),
      factors:
        u.factors.status === 'read'
          ? { ...u.factors, items: shuffled(u.factors.items, seed + i) }
          : u.factors,
      adminRoles:
        u.adminRoles.status === 'read'
          ? { ...u.adminRoles, items: shuffled(u.adminRoles.items, seed + i) }
          : u.adminRoles,
    })),
    groups: shuffled(state.groups, seed + 1).map((g) => ({ ...g, roles: shuffled(g.roles, seed) })),
    apps: shuffled(state.apps, seed + 2).map((a) => ({
      ...a,
      groupIds: shuffled(a.groupIds, seed),
    })),
    logs: { events: shuffled(state.logs.events, seed + 3) },
    coverage: Object.fromEntries(shuffled(Object.entries(state.coverage), seed + 4)),
  };
}

describe('computeEvidence', () => {
  it('produces the four controls, each stamped with org, sync and asOf', () => {
    const state = richState();
    const all = computeEvidence(state);
    const asRecord: Record<ControlId, ControlEvidence> = all;
    expect(Object.keys(asRecord).sort()).toEqual([...CONTROL_IDS].sort());
    for (const control of CONTROL_IDS) {
      expect(asRecord[control]).toMatchObject({
        orgId: 'org-1',
        control,
        asOf: state.asOf,
        syncId: 'sync-1',
      });
      expect(asRecord[control].summary).toHaveProperty('complete');
      // the sync's coverage, and the System Log's for the controls that read it
      expect(asRecord[control].summary.coverage).toMatchObject(state.coverage);
    }
  });

  it('says incomplete in every control when a user had to be published trimmed (coverage users.failed)', () => {
    const state = richState();
    const all = computeEvidence({
      ...state,
      coverage: { ...state.coverage, users: { read: 10, failed: 1 } },
    });
    for (const control of CONTROL_IDS) {
      expect(all[control].summary).toMatchObject({ complete: false });
      expect(all[control].summary.incompleteDatasets).toContain('users');
    }
  });

  it('is deterministic: any input order gives byte-identical output', () => {
    const state = richState();
    const expected = JSON.stringify(computeEvidence(state));
    for (const seed of [1, 2, 3, 42, 1234]) {
      const shuffledState = reordered(state, seed);
      expect(shuffledState.users.map((u) => u.id)).not.toEqual(state.users.map((u) => u.id));
      expect(JSON.stringify(computeEvidence(shuffledState))).toBe(expected);
    }
  });

  it('sorts users by login then id, missing logins last', () => {
    const access = computeEvidence(reordered(richState(), 7))['access-review'];
    expect(access.items.activeUsers.map((u) => u.userId)).toEqual(['u0', 'u2', 'u1', 'u5']);
    expect(access.items.deactivatedUsers.map((u) => u.userId)).toEqual(['u3']);
    const least = computeEvidence(richState())['least-privilege'];
    expect(least.items.adminRoleHolders[0]?.roles).toEqual([
      { type: 'APP_ADMIN', labels: [], direct: false, viaGroup: true, viaGroupIds: ['g-admins'] },
      {
        type: 'CUSTOM',
        labels: ['A role', 'Z role'],
        direct: true,
        viaGroup: false,
        viaGroupIds: [],
      },
      { type: 'SUPER_ADMIN', labels: [], direct: false, viaGroup: true, viaGroupIds: ['g-admins'] },
    ]);
    // groups and apps with no name/label sort last
    expect(least.items.groupMemberships.map((g) => g.groupId).at(-1)).toBe('g-nameless');
    expect(least.items.appAssignments.map((a) => a.appId)).toEqual(['app-1', 'app-2']);
  });

  it('never reads the clock: windows come from asOf', () => {
    const state = richState();
    jest.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') });
    try {
      const later = JSON.stringify(computeEvidence(state));
      jest.setSystemTime(new Date('2001-01-01T00:00:00Z'));
      expect(JSON.stringify(computeEvidence(state))).toBe(later);
    } finally {
      jest.useRealTimers();
    }
    const auth = computeEvidence(state).authentication;
    expect(auth.summary.signIns).toMatchObject({
      successful: 3,
      withMfa: 1,
      withoutMfa: 2,
      failed: 1,
    });
  });

  it('does not change its input', () => {
    const state = richState();
    const before = JSON.stringify(state);
    computeEvidence(state);
    expect(JSON.stringify(state)).toBe(before);
  });

  it('rejects an unusable asOf and duplicate ids', () => {
    expect(() => computeEvidence(orgState({ asOf: 'yesterday' }))).toThrow(EvidenceInputError);
    expect(() => computeEvidence(orgState({ users: [user('a'), user('a')] }))).toThrow(
      /duplicate user id a/,
    );
  });

  // Correctness at size only: speed claims belong in npm run bench, not in a timed test.
  it('computes 20,000 users, 200 groups, 100 apps, 100,000 log events', () => {
    const groups = [
      everyone(),
      ...Array.from({ length: 200 }, (_, i) => group(`g${i}`, { memberCount: 100 })),
    ];
    const apps = Array.from({ length: 100 }, (_, i) =>
      app(`app${i}`, { userAssignmentCount: 200 }),
    );
    const users = Array.from({ length: 20_000 }, (_, i) =>
      user(`u${i}`, {
        status: i % 10 === 0 ? 'DEPROVISIONED' : 'ACTIVE',
        factors: { status: 'read', items: i % 3 === 0 ? [] : [factor('push')] },
        groupIds: ['g-everyone', `g${i % 200}`],
        appAssignments: [{ appId: `app${i % 100}`, scope: 'GROUP' }],
      }),
    );
    const events = Array.from({ length: 100_000 }, (_, i) =>
      i % 2 === 0
        ? signIn(`u${i % 20_000}`, minutesAfter(daysBefore(20), i / 10))
        : mfa(`u${(i - 1) % 20_000}`, minutesAfter(daysBefore(20), (i - 1) / 10 + 0.5)),
    );
    const result = computeEvidence(orgState({ users, groups, apps, logs: { events } }));
    expect(result.authentication.summary.signIns).toMatchObject({
      successful: 50_000,
      withMfa: 50_000,
    });
    expect(result['access-review'].summary.exceptions).toBe(2_000);
  });
});
