import {
  AS_OF,
  app,
  daysBefore,
  deactivate,
  group,
  logEvent,
  minutesAfter,
  orgState,
  user,
} from './org-state.testing';
import { provisioningEvidence } from './provisioning.evidence';

const justOutside = (days: number) => new Date(Date.parse(daysBefore(days)) - 1).toISOString();

describe('provisioning evidence: joiners', () => {
  const evidence = provisioningEvidence(
    orgState({
      users: [
        user('edge', { created: daysBefore(90), activated: justOutside(90) }),
        user('old', { created: justOutside(90), activated: daysBefore(89) }),
        user('new', { status: 'STAGED', created: daysBefore(1), activated: null }),
        user('future', { created: minutesAfter(AS_OF, 1), activated: minutesAfter(AS_OF, 1) }),
        user('bad', { created: 'not a date', activated: null }),
      ],
    }),
  );

  it('uses [asOf − 90 days, asOf], both ends included', () => {
    expect(evidence.summary).toMatchObject({
      windowDays: 90,
      windowStart: daysBefore(90),
      windowEnd: AS_OF,
    });
    expect(evidence.items.createdInWindow.map((u) => u.userId)).toEqual(['edge', 'new']);
    expect(evidence.items.activatedInWindow.map((u) => u.userId)).toEqual(['old']);
    expect(evidence.items.activatedInWindow[0]).toEqual({
      userId: 'old',
      login: 'old@example.com',
      email: 'old@example.com',
      status: 'ACTIVE',
      activated: daysBefore(89),
    });
    expect(evidence.summary.createdInWindow).toBe(2);
    expect(evidence.summary.activatedInWindow).toBe(1);
  });
});

describe('provisioning evidence: leavers', () => {
  const deprovisioned = (id: string, o: Parameters<typeof user>[1] = {}) =>
    user(id, { status: 'DEPROVISIONED', statusChanged: null, ...o });
  const state = orgState({
    users: [
      // the log is earlier than statusChanged: the log wins
      deprovisioned('d1', { statusChanged: daysBefore(10) }),
      // no log: deactivatedAt wins over statusChanged
      deprovisioned('d2', {
        deactivatedAt: daysBefore(20),
        statusChanged: daysBefore(19),
        groupIds: ['g-everyone', 'g-eng'],
      }),
      deprovisioned('d3', { statusChanged: justOutside(90) }),
      deprovisioned('d4'),
      // deactivated 50 days ago, reactivated, deactivated again 5 days ago
      deprovisioned('d5', { statusChanged: daysBefore(5) }),
      // a failed deactivation is no evidence
      deprovisioned('d6', { statusChanged: daysBefore(2) }),
      user('a1'),
      user('s1', {
        status: 'SUSPENDED',
        statusChanged: daysBefore(3),
        appAssignments: [{ appId: 'app-1', scope: 'USER', status: 'ACTIVE' }],
      }),
      user('s2', { status: 'SUSPENDED', statusChanged: daysBefore(4) }),
    ],
    groups: [
      { id: 'g-everyone', name: 'Everyone', type: 'BUILT_IN', memberCount: 9, roles: [] },
      group('g-eng', { memberCount: 1 }),
    ],
    apps: [app('app-1', { userAssignmentCount: 1 })],
    logs: {
      events: [
        deactivate('d1', daysBefore(10.5)),
        deactivate('d5', daysBefore(50)),
        deactivate('d5', daysBefore(5)),
        deactivate('d6', daysBefore(3), { outcome: 'FAILURE' }),
        deactivate('a1', daysBefore(7)), // reactivated since: not a leaver
      ],
    },
  });
  const evidence = provisioningEvidence(state);

  it('dates each deprovisioning from the earliest known source and records it', () => {
    expect(
      evidence.items.deprovisionedInWindow.map(
        ({ userId, deprovisionedAt, source, logDeactivatedAt, recordDeactivatedAt }) => ({
          userId,
          deprovisionedAt,
          source,
          logDeactivatedAt,
          recordDeactivatedAt,
        }),
      ),
    ).toEqual([
      {
        userId: 'd1',
        deprovisionedAt: daysBefore(10.5),
        source: 'system-log',
        logDeactivatedAt: daysBefore(10.5),
        recordDeactivatedAt: daysBefore(10),
      },
      {
        userId: 'd2',
        deprovisionedAt: daysBefore(20),
        source: 'deactivatedAt',
        logDeactivatedAt: null,
        recordDeactivatedAt: daysBefore(20),
      },
      {
        userId: 'd5',
        deprovisionedAt: daysBefore(5),
        source: 'system-log',
        logDeactivatedAt: daysBefore(5),
        recordDeactivatedAt: daysBefore(5),
      },
      {
        userId: 'd6',
        deprovisionedAt: daysBefore(2),
        source: 'statusChanged',
        logDeactivatedAt: null,
        recordDeactivatedAt: daysBefore(2),
      },
    ]);
    expect(evidence.summary.deprovisionedBySource).toEqual({
      deactivatedAt: 1,
      statusChanged: 1,
      'system-log': 2,
    });
    expect(evidence.items.deprovisionedWithoutDate.map((u) => u.userId)).toEqual(['d4']);
    expect(evidence.summary.deprovisionedInWindow).toBe(4);
  });

  it('lists suspended users with when', () => {
    expect(evidence.items.suspendedUsers).toEqual([
      {
        userId: 's1',
        login: 's1@example.com',
        email: 's1@example.com',
        status: 'SUSPENDED',
        suspendedAt: daysBefore(3),
      },
      {
        userId: 's2',
        login: 's2@example.com',
        email: 's2@example.com',
        status: 'SUSPENDED',
        suspendedAt: daysBefore(4),
      },
    ]);
  });

  it('flags leavers who still hold apps or non-BUILT_IN groups, Everyone excluded', () => {
    expect(evidence.items.leaversWithAccess).toEqual([
      {
        userId: 'd2',
        login: 'd2@example.com',
        email: 'd2@example.com',
        status: 'DEPROVISIONED',
        leftAt: daysBefore(20),
        appAssignments: [],
        groupIds: ['g-eng'],
      },
      {
        userId: 's1',
        login: 's1@example.com',
        email: 's1@example.com',
        status: 'SUSPENDED',
        leftAt: daysBefore(3),
        appAssignments: [{ appId: 'app-1', scope: 'USER', status: 'ACTIVE' }],
        groupIds: [],
      },
    ]);
    expect(evidence.summary.leaversWithAccess).toBe(2);
    expect(evidence.summary.complete).toBe(true);
  });

  it('is incomplete when an app assignment list failed', () => {
    const failed = provisioningEvidence({
      ...state,
      coverage: { ...state.coverage, appUsers: { read: 0, failed: 1 } },
    });
    expect(failed.summary.complete).toBe(false);
    expect(failed.summary.incompleteDatasets).toEqual(['appUsers']);
  });
});

describe('provisioning evidence: deleted users', () => {
  const removed = (id: string, removedAt: string | null) => ({
    id,
    login: `${id}@example.com`,
    email: null,
    status: 'DEPROVISIONED',
    removedAt,
    removedBySyncId: removedAt === null ? null : 'sync-0',
  });
  const deleteEvent = (userId: string, published: string, o: Parameters<typeof logEvent>[3] = {}) =>
    logEvent('user.lifecycle.delete.completed', published, 'admin-1', {
      targetIds: [userId],
      ...o,
    });
  const events = [
    deleteEvent('x1', daysBefore(12)),
    deleteEvent('x2', daysBefore(95)), // deleted long ago, found gone only now: out of the window
    deleteEvent('x4', daysBefore(3), { outcome: 'FAILURE' }), // a failed deletion is no evidence
    deleteEvent('x5', daysBefore(4)),
    deleteEvent('still', daysBefore(1)), // not marked removed (no sync since): not listed
  ];
  const evidence = provisioningEvidence(
    orgState({
      users: [user('still')],
      removedUsers: [
        removed('x1', daysBefore(11)),
        removed('x2', daysBefore(2)),
        removed('x3', daysBefore(30)),
        removed('x4', daysBefore(1)),
        removed('x5', minutesAfter(AS_OF, 60)), // removed by a sync after asOf
        removed('x6', justOutside(90)),
      ],
      logs: { events },
    }),
  );

  it('lists removed users deleted in the window with their delete event, else when a sync found them gone', () => {
    expect(evidence.items.deletedUsers).toEqual([
      {
        userId: 'x1',
        login: 'x1@example.com',
        email: null,
        status: 'DEPROVISIONED',
        deletedAt: daysBefore(12),
        source: 'system-log',
        removedAt: daysBefore(11),
        removedBySyncId: 'sync-0',
        deleteEvent: { uuid: events[0]!.uuid, published: daysBefore(12), actorId: 'admin-1' },
      },
      {
        userId: 'x3',
        login: 'x3@example.com',
        email: null,
        status: 'DEPROVISIONED',
        deletedAt: daysBefore(30),
        source: 'removedAt',
        removedAt: daysBefore(30),
        removedBySyncId: 'sync-0',
        deleteEvent: null,
      },
      {
        userId: 'x4',
        login: 'x4@example.com',
        email: null,
        status: 'DEPROVISIONED',
        deletedAt: daysBefore(1),
        source: 'removedAt',
        removedAt: daysBefore(1),
        removedBySyncId: 'sync-0',
        deleteEvent: null,
      },
    ]);
    expect(evidence.summary).toMatchObject({ deletedInWindow: 3, deletedWithoutLogEvent: 2 });
  });

  it('lists none when the state names no removed users', () => {
    const none = provisioningEvidence(orgState({ users: [user('u1')], logs: { events } }));
    expect(none.items.deletedUsers).toEqual([]);
    expect(none.summary).toMatchObject({ deletedInWindow: 0, deletedWithoutLogEvent: 0 });
  });
});
