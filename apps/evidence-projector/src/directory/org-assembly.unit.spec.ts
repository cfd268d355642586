import {
  addStagedRecord,
  assembleDirectory,
  DirectoryDocuments,
  emptyStagedSync,
} from './org-assembly';
import { StagedRecord } from './staged-records';

/** Staged pages → read-model documents, with no database: what the materializer writes. */
const ORG = 'org-u';
const SYNC = 'sync-1';

const user = (id: string, status = 'ACTIVE'): StagedRecord => ({
  kind: 'user',
  entityId: id,
  data: {
    id,
    login: `${id}@example.com`,
    email: `${id}@example.com`,
    status,
    created: '2026-01-01T00:00:00.000Z',
    activated: '2026-01-01T00:00:00.000Z',
    statusChanged: '2026-02-01T00:00:00.000Z',
    lastLogin: null,
    lastUpdated: '2026-02-01T00:00:00.000Z',
  },
});

const assemble = (records: StagedRecord[], roleHoldersComplete = true): DirectoryDocuments => {
  const staged = emptyStagedSync();
  for (const record of records) addStagedRecord(staged, record);
  return assembleDirectory(ORG, SYNC, staged, roleHoldersComplete);
};

const byId = <T extends { id: string }>(docs: T[]) => new Map(docs.map((d) => [d.id, d]));

describe('org assembly (staged records → directory documents)', () => {
  it('counts a user on two pages once, the later page winning', () => {
    const { users } = assemble([user('u1'), user('u2'), user('u1', 'SUSPENDED')]);
    expect(users.map((u) => [u.id, u.status])).toEqual([
      ['u1', 'SUSPENDED'],
      ['u2', 'ACTIVE'],
    ]);
  });

  it('writes the document shape of a current user', () => {
    const { users } = assemble([user('u1', 'DEPROVISIONED')]);
    expect(users[0]).toEqual({
      _id: `${ORG}|u1`,
      orgId: ORG,
      id: 'u1',
      login: 'u1@example.com',
      email: 'u1@example.com',
      status: 'DEPROVISIONED',
      created: '2026-01-01T00:00:00.000Z',
      activated: '2026-01-01T00:00:00.000Z',
      statusChanged: '2026-02-01T00:00:00.000Z',
      lastLogin: null,
      lastUpdated: '2026-02-01T00:00:00.000Z',
      deactivatedAt: '2026-02-01T00:00:00.000Z',
      factors: { status: 'unknown', reason: 'factors not published' },
      activeFactorTypes: null,
      groupIds: [],
      appIds: [],
      appAssignments: [],
      adminRoles: { status: 'none' },
      lastSeenSyncId: SYNC,
      removed: false,
      removedAt: null,
      removedBySyncId: null,
    });
  });

  it('keeps read factors apart from unknown ones, and only ACTIVE ones count as enrolled', () => {
    const { users } = assemble([
      user('read'),
      user('none'),
      user('unreadable'),
      {
        kind: 'factors',
        entityId: 'read',
        data: {
          status: 'read',
          items: [
            { id: 'f1', factorType: 'push', status: 'ACTIVE', provider: 'OKTA' },
            { id: 'f2', factorType: 'sms', status: 'PENDING_ACTIVATION', provider: 'OKTA' },
            { id: 'f3', factorType: 'push', status: 'ACTIVE', provider: 'OKTA' },
          ],
        },
      },
      { kind: 'factors', entityId: 'none', data: { status: 'read', items: [] } },
      { kind: 'factors', entityId: 'unreadable', data: { status: 'unknown', reason: 'E0000006' } },
    ]);
    const docs = byId(users);
    expect(docs.get('read')?.activeFactorTypes).toEqual(['push']);
    expect(docs.get('read')?.factors.status).toBe('read');
    expect(docs.get('none')?.activeFactorTypes).toEqual([]);
    expect(docs.get('unreadable')?.factors).toEqual({ status: 'unknown', reason: 'E0000006' });
    expect(docs.get('unreadable')?.activeFactorTypes).toBeNull();
  });

  it('joins paged group members and app assignments onto the users', () => {
    const { users, groups, apps } = assemble([
      user('u1'),
      user('u2'),
      { kind: 'group', entityId: 'g2', data: { id: 'g2', name: 'Two', type: 'OKTA_GROUP' } },
      { kind: 'group', entityId: 'g1', data: { id: 'g1', name: 'One', type: 'OKTA_GROUP' } },
      {
        kind: 'groupMembers',
        entityId: 'g1',
        part: 1,
        data: { status: 'read', lastPart: true, memberIds: ['u2'], reason: null },
      },
      {
        kind: 'groupMembers',
        entityId: 'g1',
        part: 0,
        data: { status: 'read', lastPart: false, memberIds: ['u1', 'u2'], reason: null },
      },
      {
        kind: 'groupMembers',
        entityId: 'g2',
        part: 0,
        data: { status: 'read', lastPart: false, memberIds: ['u1'], reason: null },
      },
      { kind: 'app', entityId: 'a1', data: { id: 'a1', label: 'A', name: 'a', status: 'ACTIVE' } },
      {
        kind: 'appUsers',
        entityId: 'a1',
        part: 0,
        data: {
          status: 'read',
          lastPart: true,
          assignments: [
            { userId: 'u1', scope: 'GROUP', status: 'ACTIVE' },
            { userId: 'u1', scope: null, status: null },
          ],
          reason: null,
        },
      },
      {
        kind: 'appGroups',
        entityId: 'a1',
        part: 0,
        data: { status: 'read', lastPart: true, groupIds: ['g2', 'g1'], reason: null },
      },
    ]);
    expect(groups.map((g) => [g.id, g.memberCount])).toEqual([
      ['g1', 2], // u2 on both parts counts once
      ['g2', null], // last part never arrived: unknown, and no membership joined
    ]);
    const docs = byId(users);
    expect(docs.get('u1')?.groupIds).toEqual(['g1']);
    expect(docs.get('u2')?.groupIds).toEqual(['g1']);
    expect(docs.get('u1')?.appAssignments).toEqual([
      { appId: 'a1', scope: 'GROUP', status: 'ACTIVE' },
      { appId: 'a1', scope: 'USER', status: null },
    ]);
    expect(docs.get('u1')?.appIds).toEqual(['a1']);
    expect(docs.get('u2')?.appIds).toEqual([]);
    expect(apps[0]).toMatchObject({
      _id: `${ORG}|a1`,
      userAssignmentCount: 1,
      groupIds: ['g1', 'g2'],
      assignmentsKnown: true,
    });
  });

  it('marks an app whose assignments were not all read, and a group whose roles were not', () => {
    const { apps, groups } = assemble([
      { kind: 'app', entityId: 'a1', data: { id: 'a1', label: 'A', name: 'a', status: 'ACTIVE' } },
      {
        kind: 'appUsers',
        entityId: 'a1',
        part: 0,
        data: { status: 'unknown', lastPart: true, assignments: [], reason: 'E0000006' },
      },
      { kind: 'group', entityId: 'g1', data: { id: 'g1', name: 'One', type: 'OKTA_GROUP' } },
      {
        kind: 'groupRoles',
        entityId: 'g1',
        data: { status: 'unknown', roles: [], reason: 'E0000006' },
      },
    ]);
    expect(apps[0]).toMatchObject({ userAssignmentCount: null, assignmentsKnown: false });
    expect(groups[0]).toMatchObject({ roles: [], rolesKnown: false, memberCount: null });
  });

  it('gives users the roles of their groups besides their own', () => {
    const { users } = assemble([
      user('u1'),
      user('u2'),
      user('u3'),
      { kind: 'group', entityId: 'g1', data: { id: 'g1', name: 'Admins', type: 'OKTA_GROUP' } },
      {
        kind: 'groupMembers',
        entityId: 'g1',
        part: 0,
        data: { status: 'read', lastPart: true, memberIds: ['u1'], reason: null },
      },
      {
        kind: 'groupRoles',
        entityId: 'g1',
        data: {
          status: 'read',
          roles: [{ type: 'SUPER_ADMIN', label: null, assignmentType: 'GROUP' }],
          reason: null,
        },
      },
      {
        kind: 'roles',
        entityId: 'u1',
        data: {
          status: 'read',
          items: [{ type: 'APP_ADMIN', label: 'App Admin', assignmentType: 'USER' }],
        },
      },
      { kind: 'roles', entityId: 'u2', data: { status: 'unknown', reason: 'E0000006' } },
    ]);
    const docs = byId(users);
    expect(docs.get('u1')?.adminRoles).toEqual({
      status: 'read',
      items: [
        { type: 'APP_ADMIN', label: 'App Admin', assignmentType: 'USER' },
        { type: 'SUPER_ADMIN', label: null, assignmentType: 'GROUP' },
      ],
    });
    expect(docs.get('u2')?.adminRoles).toEqual({ status: 'unknown', reason: 'E0000006' });
    expect(docs.get('u3')?.adminRoles).toEqual({ status: 'none' });
    const incomplete = byId(assemble([user('u3')], false).users);
    expect(incomplete.get('u3')?.adminRoles).toEqual({
      status: 'unknown',
      reason: 'role holders could not be listed',
    });
  });

  it('leaves out entities the sync did not see (the sweep marks them removed later)', () => {
    const { users, groups } = assemble([user('u1')]);
    expect(users.map((u) => u.id)).toEqual(['u1']);
    expect(groups).toEqual([]);
  });

  it('keeps the removed versions staged by an interrupted write apart from the documents', () => {
    const staged = emptyStagedSync();
    addStagedRecord(staged, user('u1'));
    addStagedRecord(staged, {
      kind: 'sweep',
      entityId: `okta_users|${ORG}|u9`,
      data: {
        collection: 'okta_users',
        doc: { _id: `${ORG}|u9`, id: 'u9', removed: true, removedBySyncId: SYNC },
      },
    });
    expect(assembleDirectory(ORG, SYNC, staged, true).users.map((u) => u.id)).toEqual(['u1']);
    expect([...staged.sweep.values()].map((s) => s.doc._id)).toEqual([`${ORG}|u9`]);
  });
});
