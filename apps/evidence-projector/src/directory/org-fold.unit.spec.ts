import type { OktaGroupDocument } from './okta-group.document';
import type { OktaUserDocument } from './okta-user.document';
import { OrgFold } from './org-fold';

const ORG = 'org-1';
const user = (id: string, syncId: string, status = 'ACTIVE') =>
  ({
    _id: `${ORG}|${id}`,
    orgId: ORG,
    id,
    status,
    lastSeenSyncId: syncId,
    removed: false,
    removedAt: null,
    removedBySyncId: null,
  }) as unknown as OktaUserDocument;
const group = (id: string, syncId: string) =>
  ({
    _id: `${ORG}|${id}`,
    orgId: ORG,
    id,
    lastSeenSyncId: syncId,
    removed: false,
    removedAt: null,
    removedBySyncId: null,
  }) as unknown as OktaGroupDocument;
const sync = (syncId: string, hour: number, users: string[], groups: string[] = []) => ({
  syncId,
  startedAt: `2026-01-01T${String(hour).padStart(2, '0')}:00:00.000Z`,
  completedAt: `2026-01-01T${String(hour).padStart(2, '0')}:30:00.000Z`,
  documents: {
    users: users.map((id) => user(id, syncId)),
    groups: groups.map((id) => group(id, syncId)),
    apps: [],
  },
});
const empty = { active: { users: [], groups: [], apps: [] }, removedUsers: [], latest: null };

describe('OrgFold: several syncs of one org in memory, as the collections would hold them', () => {
  it('marks removed, by the first sync that no longer sees it, a document as it was last seen', () => {
    const fold = new OrgFold(ORG, empty);
    fold.add(sync('s1', 1, ['u1', 'u2'], ['g1']));
    fold.add(sync('s2', 2, ['u1'], []));
    fold.add(sync('s3', 3, ['u1'], []));
    expect(fold.removedOf('okta_users')).toEqual([
      {
        ...user('u2', 's1'),
        removed: true,
        removedAt: '2026-01-01T02:30:00.000Z',
        removedBySyncId: 's2',
      },
    ]);
    expect(fold.removedOf('okta_groups').map((g) => g.removedBySyncId)).toEqual(['s2']);
    expect([...fold.sweep().keys()].sort()).toEqual([
      'okta_groups|org-1|g1',
      'okta_users|org-1|u2',
    ]);
    expect(fold.latest).toEqual({ syncId: 's3', startedAt: '2026-01-01T03:00:00.000Z' });
    expect(fold.syncIds).toEqual(['s1', 's2', 's3']);
  });

  it('makes a document seen again current, and a later removal takes the later sync', () => {
    const fold = new OrgFold(ORG, empty);
    fold.add(sync('s1', 1, ['u1', 'u2']));
    fold.add(sync('s2', 2, ['u1']));
    fold.add(sync('s3', 3, ['u1', 'u2']));
    expect(fold.removedOf('okta_users')).toEqual([]);
    fold.add(sync('s4', 4, ['u1']));
    expect(
      fold
        .removedOf('okta_users')
        .map((u) => [(u as OktaUserDocument).id, u.removedBySyncId, u.lastSeenSyncId]),
    ).toEqual([['u2', 's4', 's3']]);
  });

  it('lists the removed users of the lookback: those removed before the run unless seen again, and its own', () => {
    const before = {
      ...user('old', 's0'),
      removed: true,
      removedAt: '2026-01-01T00:30:00.000Z',
      removedBySyncId: 's0',
    };
    const back = { ...before, _id: `${ORG}|back`, id: 'back' };
    const fold = new OrgFold(ORG, {
      active: { users: [user('u1', 's0'), user('u2', 's0')], groups: [], apps: [] },
      removedUsers: [before, back],
      latest: { syncId: 's0', startedAt: '2026-01-01T00:00:00.000Z' },
    });
    fold.add(sync('s1', 1, ['u1', 'back']));
    expect(fold.removedUsersSince('2026-01-01T00:00:00.000Z').map((u) => u.id)).toEqual([
      'old',
      'u2',
    ]);
    // Only those removed at or after `since`.
    expect(fold.removedUsersSince('2026-01-01T01:00:00.000Z').map((u) => u.id)).toEqual(['u2']);
  });
});
