import { DirectoryChange, diffDirectory } from './directory-changes';
import {
  addStagedRecord,
  assembleDirectory,
  DirectoryDocuments,
  emptyStagedSync,
} from './org-assembly';
import type { StagedRecord } from './staged-records';

/**
 * The diff between the documents before a sync and the ones it wrote: each of
 * the ten kinds, the first sync as a baseline, deleted and new users, and
 * nothing claimed where either side could not read a list.
 */
const ORG = 'org-diff';

type FactorSpec = [id: string, factorType: string, status?: string];
interface UserSpec {
  id: string;
  status?: string;
  factors?: FactorSpec[] | 'unknown';
  /** Direct roles; 'unknown' = could not be read; absent = not a role holder. */
  roles?: string[] | 'unknown';
}
interface GroupSpec {
  id: string;
  /** null: the member list could not be read. */
  members: string[] | null;
  roles?: string[] | 'unknown';
}
interface AppSpec {
  id: string;
  /** [userId, scope]; null: the user list could not be read. */
  users: Array<[string, string]> | null;
  groups?: string[];
}
interface OrgSpec {
  users: UserSpec[];
  groups?: GroupSpec[];
  apps?: AppSpec[];
}

/** The documents a full sync of the org would write (through the real assembly). */
function documentsOf(syncId: string, org: OrgSpec): DirectoryDocuments {
  const staged = emptyStagedSync();
  const add = (record: StagedRecord) => addStagedRecord(staged, record);
  for (const u of org.users) {
    add({
      kind: 'user',
      entityId: u.id,
      data: {
        id: u.id,
        login: `${u.id}@example.com`,
        email: `${u.id}@example.com`,
        status: u.status ?? 'ACTIVE',
        created: null,
        activated: null,
        statusChanged: null,
        lastLogin: null,
        lastUpdated: null,
      },
    });
    add({
      kind: 'factors',
      entityId: u.id,
      data:
        u.factors === 'unknown'
          ? { status: 'unknown', reason: 'E0000006' }
          : {
              status: 'read',
              items: (u.factors ?? []).map(([id, factorType, status = 'ACTIVE']) => ({
                id,
                factorType,
                status,
                provider: 'OKTA',
              })),
            },
    });
    if (u.roles !== undefined)
      add({
        kind: 'roles',
        entityId: u.id,
        data:
          u.roles === 'unknown'
            ? { status: 'unknown', reason: 'E0000006' }
            : {
                status: 'read',
                items: u.roles.map((type) => ({ type, label: null, assignmentType: 'USER' })),
              },
      });
  }
  for (const g of org.groups ?? []) {
    add({ kind: 'group', entityId: g.id, data: { id: g.id, name: g.id, type: 'OKTA_GROUP' } });
    add({
      kind: 'groupMembers',
      entityId: g.id,
      part: 0,
      data: {
        status: g.members ? 'read' : 'unknown',
        lastPart: true,
        memberIds: g.members ?? [],
        reason: g.members ? null : 'E0000006',
      },
    });
    add({
      kind: 'groupRoles',
      entityId: g.id,
      data:
        g.roles === 'unknown'
          ? { status: 'unknown', roles: [], reason: 'E0000006' }
          : {
              status: 'read',
              roles: (g.roles ?? []).map((type) => ({
                type,
                label: null,
                assignmentType: 'GROUP',
              })),
              reason: null,
            },
    });
  }
  for (const a of org.apps ?? []) {
    add({
      kind: 'app',
      entityId: a.id,
      data: { id: a.id, label: a.id, name: 'oidc', status: 'ACTIVE' },
    });
    add({
      kind: 'appUsers',
      entityId: a.id,
      part: 0,
      data: {
        status: a.users ? 'read' : 'unknown',
        lastPart: true,
        assignments: (a.users ?? []).map(([userId, scope]) => ({
          userId,
          scope,
          status: 'ACTIVE',
        })),
        reason: a.users ? null : 'E0000006',
      },
    });
    add({
      kind: 'appGroups',
      entityId: a.id,
      part: 0,
      data: { status: 'read', lastPart: true, groupIds: a.groups ?? [], reason: null },
    });
  }
  return assembleDirectory(ORG, syncId, staged, true);
}

/** Reverses every list: the diff must not depend on the order documents are read in. */
const reversed = (docs: DirectoryDocuments): DirectoryDocuments => ({
  users: [...docs.users].reverse(),
  groups: [...docs.groups].reverse(),
  apps: [...docs.apps].reverse(),
});

/** Before: u1..u4 with factors, g1/g2 members, a1/a2 assignments, u1 a super admin. */
const BEFORE: OrgSpec = {
  users: [
    { id: 'u1', factors: [['f1', 'push']], roles: ['SUPER_ADMIN'] },
    { id: 'u2', factors: [['f2', 'sms']] },
    { id: 'u3' },
    { id: 'u4', status: 'DEPROVISIONED', factors: [['f4', 'push']], roles: ['APP_ADMIN'] },
  ],
  groups: [
    { id: 'g1', members: ['u1', 'u2', 'u4'] },
    { id: 'g2', members: ['u3'] },
  ],
  apps: [
    {
      id: 'a1',
      users: [
        ['u1', 'USER'],
        ['u4', 'USER'],
      ],
    },
    { id: 'a2', users: [['u2', 'USER']] },
  ],
};

/** After: one change of each of the ten kinds. */
const AFTER: OrgSpec = {
  users: [
    { id: 'u1', status: 'SUSPENDED', factors: [['f1', 'push']] },
    { id: 'u2', factors: [['f3', 'webauthn']] },
    { id: 'u3', roles: ['ORG_ADMIN'] },
  ],
  groups: [
    { id: 'g1', members: ['u1', 'u3'] },
    { id: 'g2', members: ['u3'] },
  ],
  apps: [
    {
      id: 'a1',
      users: [
        ['u1', 'USER'],
        ['u3', 'USER'],
      ],
    },
    { id: 'a2', users: [] },
  ],
};

const TEN_CHANGES: DirectoryChange[] = [
  { type: 'UserStatusChanged', userId: 'u1', from: 'ACTIVE', to: 'SUSPENDED' },
  { type: 'AdminRoleRevoked', userId: 'u1', roleType: 'SUPER_ADMIN', assignmentType: 'USER' },
  { type: 'FactorEnrolled', userId: 'u2', factorId: 'f3', factorType: 'webauthn' },
  { type: 'FactorRemoved', userId: 'u2', factorId: 'f2', factorType: 'sms' },
  { type: 'GroupMembershipRemoved', userId: 'u2', groupId: 'g1' },
  { type: 'AppAssignmentRemoved', userId: 'u2', appId: 'a2', scope: 'USER' },
  { type: 'GroupMembershipAdded', userId: 'u3', groupId: 'g1' },
  { type: 'AppAssignmentAdded', userId: 'u3', appId: 'a1', scope: 'USER' },
  { type: 'AdminRoleGranted', userId: 'u3', roleType: 'ORG_ADMIN', assignmentType: 'USER' },
  { type: 'UserDeleted', userId: 'u4' },
];

const diff = (before: OrgSpec, after: OrgSpec) =>
  diffDirectory(documentsOf('s1', before), documentsOf('s2', after));

describe('directory changes (pure diff)', () => {
  it('publishes nothing for the first sync of an org: it is the baseline', () => {
    expect(diffDirectory(null, documentsOf('s1', BEFORE))).toEqual([]);
  });

  it('finds nothing between two syncs of the same state', () => {
    expect(diff(BEFORE, BEFORE)).toEqual([]);
  });

  it('finds each of the ten kinds, by user, then kind, then entity', () => {
    expect(diff(BEFORE, AFTER)).toEqual(TEN_CHANGES);
  });

  it('gives the same list whatever order the documents come in', () => {
    expect(
      diffDirectory(reversed(documentsOf('s1', BEFORE)), reversed(documentsOf('s2', AFTER))),
    ).toEqual(TEN_CHANGES);
  });

  it('says only UserDeleted for a user that is gone, not its memberships, apps, roles or factors', () => {
    const changes = diff(BEFORE, AFTER).filter((c) => c.userId === 'u4');
    expect(changes).toEqual([{ type: 'UserDeleted', userId: 'u4' }]);
  });

  it('gives a new user a status from null and what it holds as additions', () => {
    const after: OrgSpec = {
      ...BEFORE,
      users: [
        ...BEFORE.users,
        { id: 'u5', status: 'STAGED', factors: [['f5', 'totp']], roles: ['HELP_DESK_ADMIN'] },
      ],
      groups: [{ id: 'g1', members: ['u1', 'u2', 'u4', 'u5'] }, BEFORE.groups![1]!],
      apps: [
        {
          id: 'a1',
          users: [
            ['u1', 'USER'],
            ['u4', 'USER'],
            ['u5', 'GROUP'],
          ],
        },
        BEFORE.apps![1]!,
      ],
    };
    expect(diff(BEFORE, after)).toEqual([
      { type: 'UserStatusChanged', userId: 'u5', from: null, to: 'STAGED' },
      { type: 'FactorEnrolled', userId: 'u5', factorId: 'f5', factorType: 'totp' },
      { type: 'GroupMembershipAdded', userId: 'u5', groupId: 'g1' },
      { type: 'AppAssignmentAdded', userId: 'u5', appId: 'a1', scope: 'GROUP' },
      {
        type: 'AdminRoleGranted',
        userId: 'u5',
        roleType: 'HELP_DESK_ADMIN',
        assignmentType: 'USER',
      },
    ]);
  });

  it('counts only ACTIVE factors: activation is an enrollment, suspension a removal', () => {
    const before: OrgSpec = {
      users: [
        {
          id: 'u1',
          factors: [
            ['f1', 'push', 'PENDING_ACTIVATION'],
            ['f2', 'sms'],
          ],
        },
      ],
    };
    const after: OrgSpec = {
      users: [
        {
          id: 'u1',
          factors: [
            ['f1', 'push'],
            ['f2', 'sms', 'SUSPENDED'],
          ],
        },
      ],
    };
    expect(diff(before, after)).toEqual([
      { type: 'FactorEnrolled', userId: 'u1', factorId: 'f1', factorType: 'push' },
      { type: 'FactorRemoved', userId: 'u1', factorId: 'f2', factorType: 'sms' },
    ]);
  });

  it('sees a direct assignment replaced by one through a group as a removal and an addition', () => {
    const before: OrgSpec = {
      users: [{ id: 'u1' }],
      apps: [{ id: 'a1', users: [['u1', 'USER']] }],
    };
    const after: OrgSpec = {
      users: [{ id: 'u1' }],
      apps: [{ id: 'a1', users: [['u1', 'GROUP']] }],
    };
    expect(diff(before, after)).toEqual([
      { type: 'AppAssignmentAdded', userId: 'u1', appId: 'a1', scope: 'GROUP' },
      { type: 'AppAssignmentRemoved', userId: 'u1', appId: 'a1', scope: 'USER' },
    ]);
  });

  it('takes a role through a group from the membership that brings it', () => {
    const groups = (members: string[]): GroupSpec[] => [
      { id: 'admins', members, roles: ['ORG_ADMIN'] },
    ];
    const before: OrgSpec = { users: [{ id: 'u1' }, { id: 'u2' }], groups: groups(['u1']) };
    const after: OrgSpec = { users: [{ id: 'u1' }, { id: 'u2' }], groups: groups(['u2']) };
    expect(diff(before, after)).toEqual([
      { type: 'GroupMembershipRemoved', userId: 'u1', groupId: 'admins' },
      { type: 'AdminRoleRevoked', userId: 'u1', roleType: 'ORG_ADMIN', assignmentType: 'GROUP' },
      { type: 'GroupMembershipAdded', userId: 'u2', groupId: 'admins' },
      { type: 'AdminRoleGranted', userId: 'u2', roleType: 'ORG_ADMIN', assignmentType: 'GROUP' },
    ]);
  });

  it('removes the memberships and assignments of a group or app that is gone', () => {
    const after: OrgSpec = { ...BEFORE, groups: [BEFORE.groups![1]!], apps: [BEFORE.apps![0]!] };
    expect(diff(BEFORE, after)).toEqual([
      { type: 'GroupMembershipRemoved', userId: 'u1', groupId: 'g1' },
      { type: 'GroupMembershipRemoved', userId: 'u2', groupId: 'g1' },
      { type: 'AppAssignmentRemoved', userId: 'u2', appId: 'a2', scope: 'USER' },
      { type: 'GroupMembershipRemoved', userId: 'u4', groupId: 'g1' },
    ]);
  });

  describe('claims nothing a side could not read', () => {
    it('factors unknown before or after', () => {
      const unknown: OrgSpec = { users: [{ id: 'u1', factors: 'unknown' }] };
      const read: OrgSpec = { users: [{ id: 'u1', factors: [['f1', 'push']] }] };
      expect(diff(unknown, read)).toEqual([]);
      expect(diff(read, unknown)).toEqual([]);
    });

    it('a group member list unknown before or after (nor roles through any group then)', () => {
      const known: OrgSpec = {
        users: [{ id: 'u1' }],
        groups: [
          { id: 'g1', members: ['u1'] },
          { id: 'admins', members: ['u1'], roles: ['ORG_ADMIN'] },
        ],
      };
      const unknown: OrgSpec = {
        users: [{ id: 'u1' }],
        groups: [
          { id: 'g1', members: null },
          { id: 'admins', members: null, roles: ['ORG_ADMIN'] },
        ],
      };
      expect(diff(known, unknown)).toEqual([]);
      expect(diff(unknown, known)).toEqual([]);
    });

    it('group roles unknown: no role through a group is granted or revoked', () => {
      const known: OrgSpec = {
        users: [{ id: 'u1' }],
        groups: [{ id: 'admins', members: ['u1'], roles: ['ORG_ADMIN'] }],
      };
      const unknown: OrgSpec = {
        users: [{ id: 'u1' }],
        groups: [{ id: 'admins', members: ['u1'], roles: 'unknown' }],
      };
      expect(diff(known, unknown)).toEqual([]);
      expect(diff(unknown, known)).toEqual([]);
    });

    it('an app user list unknown before or after', () => {
      const known: OrgSpec = {
        users: [{ id: 'u1' }],
        apps: [{ id: 'a1', users: [['u1', 'USER']] }],
      };
      const unknown: OrgSpec = { users: [{ id: 'u1' }], apps: [{ id: 'a1', users: null }] };
      expect(diff(known, unknown)).toEqual([]);
      expect(diff(unknown, known)).toEqual([]);
    });

    it('roles unknown before or after', () => {
      const known: OrgSpec = { users: [{ id: 'u1', roles: ['SUPER_ADMIN'] }] };
      const unknown: OrgSpec = { users: [{ id: 'u1', roles: 'unknown' }] };
      expect(diff(known, unknown)).toEqual([]);
      expect(diff(unknown, known)).toEqual([]);
    });
  });
});
