import { accessReviewEvidence } from './access-review.evidence';
import { app, everyone, group, orgState, user } from './org-state.testing';

describe('access-review evidence', () => {
  const state = orgState({
    users: [
      user('a', {
        groupIds: ['g-eng', 'g-everyone', 'g-eng'],
        appAssignments: [
          { appId: 'app-2', scope: 'USER', status: 'ACTIVE' },
          { appId: 'app-1', scope: 'GROUP', status: 'ACTIVE' },
        ],
      }),
      user('l', { status: 'LOCKED_OUT', login: null }),
      user('x', {
        status: 'DEPROVISIONED',
        deactivatedAt: '2025-05-01T00:00:00.000Z',
        appAssignments: [{ appId: 'app-1', scope: 'USER', status: null }],
      }),
      // only in Everyone, where Okta keeps every deprovisioned user: not an exception
      user('y', { status: 'DEPROVISIONED' }),
      // in a real group and in a group the sync did not list (counted as access)
      user('z', { status: 'DEPROVISIONED', groupIds: ['g-everyone', 'g-gone', 'g-eng'] }),
      user('p', { status: 'STAGED', groupIds: [] }),
      user('s', { status: 'SUSPENDED' }),
    ],
    groups: [everyone(), group('g-eng', { memberCount: 2 })],
    apps: [app('app-1', { userAssignmentCount: 2 }), app('app-2', { userAssignmentCount: 1 })],
  });
  const evidence = accessReviewEvidence(state);

  it('lists active users with their groups and apps, sorted by login (missing last) then id', () => {
    expect(evidence.items.activeUsers).toEqual([
      {
        userId: 'a',
        login: 'a@example.com',
        email: 'a@example.com',
        status: 'ACTIVE',
        groupIds: ['g-eng', 'g-everyone'],
        appIds: ['app-1', 'app-2'],
        lastLogin: state.users[0]!.lastLogin,
      },
      {
        userId: 'l',
        login: null,
        email: 'l@example.com',
        status: 'LOCKED_OUT',
        groupIds: ['g-everyone'],
        appIds: [],
        lastLogin: state.users[1]!.lastLogin,
      },
    ]);
    expect(evidence.items.deactivatedUsers.map((u) => u.userId)).toEqual(['x', 'y', 'z']);
    expect(evidence.items.otherUsers.map((u) => [u.userId, u.status])).toEqual([
      ['p', 'STAGED'],
      ['s', 'SUSPENDED'],
    ]);
  });

  it('counts users per status', () => {
    // Sorted by status: the order is part of the evidence (its hash).
    expect(evidence.summary.usersByStatusCounts).toEqual([
      { value: 'ACTIVE', count: 1 },
      { value: 'DEPROVISIONED', count: 3 },
      { value: 'LOCKED_OUT', count: 1 },
      { value: 'STAGED', count: 1 },
      { value: 'SUSPENDED', count: 1 },
    ]);
    expect(evidence.summary).toMatchObject({
      totalUsers: 7,
      activeUsers: 2,
      deactivatedUsers: 3,
      otherUsers: 2,
      exceptions: 2,
    });
  });

  it('flags deprovisioned users still assigned to apps or in non-BUILT_IN groups', () => {
    expect(evidence.items.exceptions).toEqual([
      {
        userId: 'x',
        login: 'x@example.com',
        email: 'x@example.com',
        status: 'DEPROVISIONED',
        deactivatedAt: '2025-05-01T00:00:00.000Z',
        reasons: ['app-assignment'],
        appAssignments: [{ appId: 'app-1', scope: 'USER', status: null }],
        groupIds: [],
      },
      {
        userId: 'z',
        login: 'z@example.com',
        email: 'z@example.com',
        status: 'DEPROVISIONED',
        deactivatedAt: null,
        reasons: ['group-membership'],
        appAssignments: [],
        groupIds: ['g-eng', 'g-gone'],
      },
    ]);
  });

  it('is complete only when memberships and assignments were all read', () => {
    expect(evidence.summary.complete).toBe(true);
    expect(evidence.summary.incompleteDatasets).toEqual([]);

    const unknownGroup = accessReviewEvidence({
      ...state,
      groups: [everyone(), group('g-eng', { memberCount: null })],
    });
    expect(unknownGroup.summary.complete).toBe(false);
    expect(unknownGroup.summary.incompleteDatasets).toEqual(['groupMembers']);
    expect(unknownGroup.items.groupsWithUnknownMembers).toEqual([
      { groupId: 'g-eng', name: 'g-eng', type: 'OKTA_GROUP' },
    ]);

    const failedApps = accessReviewEvidence({
      ...state,
      coverage: {
        ...state.coverage,
        appGroups: { read: 3, failed: 2 },
        factors: { read: 0, failed: 9 },
      },
    });
    // factors do not feed access review
    expect(failedApps.summary.incompleteDatasets).toEqual(['appGroups']);
    expect(failedApps.summary.coverage.factors).toEqual({ read: 0, failed: 9 });
  });
});
