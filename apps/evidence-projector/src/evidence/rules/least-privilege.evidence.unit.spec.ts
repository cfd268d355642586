import { leastPrivilegeEvidence } from './least-privilege.evidence';
import { app, everyone, group, orgState, user } from './org-state.testing';

describe('least-privilege evidence', () => {
  const state = orgState({
    users: [
      user('super', {
        adminRoles: {
          status: 'read',
          items: [{ type: 'SUPER_ADMIN', label: 'Super Administrator', assignmentType: 'USER' }],
        },
        appAssignments: [
          { appId: 'app-b', scope: 'USER' },
          { appId: 'app-a', scope: 'USER' },
          { appId: 'app-c', scope: 'GROUP' },
        ],
      }),
      user('viagroup', {
        adminRoles: { status: 'read', items: [{ type: 'SUPER_ADMIN', assignmentType: 'GROUP' }] },
        groupIds: ['g-everyone', 'g-admins'],
      }),
      user('ro', {
        adminRoles: {
          status: 'read',
          items: [
            { type: 'READ_ONLY_ADMIN', label: 'Read-only Administrator', assignmentType: 'USER' },
          ],
        },
        groupIds: ['g-everyone', 'g-helpdesk'],
      }),
      // roles unreadable, yet a member of an admin group
      user('unknown', {
        adminRoles: { status: 'unknown', reason: 'E0000006' },
        groupIds: ['g-admins'],
      }),
      user('plain', { appAssignments: [{ appId: 'app-c', scope: 'GROUP' }] }),
    ],
    groups: [
      everyone(),
      group('g-admins', { name: 'Admins', memberCount: 2, roles: ['SUPER_ADMIN'] }),
      group('g-helpdesk', { name: 'Helpdesk', memberCount: 1, roles: ['HELP_DESK_ADMIN'] }),
      group('g-unread', { name: 'Unread', memberCount: null }),
    ],
    apps: [
      app('app-a', { label: 'Alpha', userAssignmentCount: 1 }),
      app('app-b', { label: 'Beta', userAssignmentCount: 1, groupIds: ['g-admins'] }),
      app('app-c', { label: 'Gamma', userAssignmentCount: 7, assignmentsKnown: false }),
    ],
  });
  const evidence = leastPrivilegeEvidence(state);

  it('calls out SUPER_ADMIN holders, direct and via group', () => {
    expect(
      evidence.items.superAdmins.map(({ userId, direct, viaGroup, viaGroupIds }) => ({
        userId,
        direct,
        viaGroup,
        viaGroupIds,
      })),
    ).toEqual([
      { userId: 'super', direct: true, viaGroup: false, viaGroupIds: [] },
      { userId: 'unknown', direct: false, viaGroup: true, viaGroupIds: ['g-admins'] },
      { userId: 'viagroup', direct: false, viaGroup: true, viaGroupIds: ['g-admins'] },
    ]);
    expect(evidence.summary.superAdmins).toBe(3);
  });

  it('counts holders per role type', () => {
    expect(evidence.summary.roleTypeCounts).toEqual([
      { value: 'HELP_DESK_ADMIN', holders: 1, direct: 0, viaGroup: 1 },
      { value: 'READ_ONLY_ADMIN', holders: 1, direct: 1, viaGroup: 0 },
      { value: 'SUPER_ADMIN', holders: 3, direct: 1, viaGroup: 2 },
    ]);
    expect(evidence.summary.adminRoleHolders).toBe(4);
    expect(evidence.items.adminRoleHolders.find((h) => h.userId === 'ro')?.roles).toEqual([
      {
        type: 'HELP_DESK_ADMIN',
        labels: [],
        direct: false,
        viaGroup: true,
        viaGroupIds: ['g-helpdesk'],
      },
      {
        type: 'READ_ONLY_ADMIN',
        labels: ['Read-only Administrator'],
        direct: true,
        viaGroup: false,
        viaGroupIds: [],
      },
    ]);
  });

  it('lists users whose roles could not be read, and is then incomplete', () => {
    expect(evidence.items.rolesUnknown).toEqual([
      {
        userId: 'unknown',
        login: 'unknown@example.com',
        email: 'unknown@example.com',
        status: 'ACTIVE',
        reason: 'E0000006',
      },
    ]);
    expect(evidence.summary.complete).toBe(false);
    expect(evidence.summary.incompleteDatasets).toEqual([
      'appAssignments',
      'groupMembers',
      'userRoles',
    ]);
  });

  it('gives member counts per group (null when unknown) and assignment counts per app', () => {
    expect(evidence.items.groupMemberships.map((g) => [g.groupId, g.memberCount, g.roles])).toEqual(
      [
        ['g-admins', 2, ['SUPER_ADMIN']],
        ['g-everyone', 0, []],
        ['g-helpdesk', 1, ['HELP_DESK_ADMIN']],
        ['g-unread', null, []],
      ],
    );
    expect(
      evidence.items.appAssignments.map((a) => [
        a.appId,
        a.userAssignmentCount,
        a.groupAssignmentCount,
      ]),
    ).toEqual([
      ['app-a', 1, 0],
      ['app-b', 1, 1],
      ['app-c', null, null],
    ]);
    expect(evidence.summary).toMatchObject({
      groupsWithUnknownMembers: 1,
      appsWithUnknownAssignments: 1,
    });
  });

  it('lists users with direct (USER scope) app assignments only', () => {
    expect(evidence.items.usersWithDirectAppAssignments).toEqual([
      {
        userId: 'super',
        login: 'super@example.com',
        email: 'super@example.com',
        status: 'ACTIVE',
        appIds: ['app-a', 'app-b'],
      },
    ]);
  });
});
