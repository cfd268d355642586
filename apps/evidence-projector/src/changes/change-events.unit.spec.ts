import { decodeMessage, encodeMessage, TOPICS } from '@regentra/contracts';
import type { DirectoryChange } from '../directory/directory-changes';
import { latestMatching } from '../log-facts/fact-match';
import type { LogFact } from '../log-facts/log-event.document';
import {
  changeEventsOf,
  EXPLANATION_OVERLAP_MS,
  explanationQueryOf,
  explanationWindow,
} from './change-events';

/**
 * A sync's changes as `okta.changes.v1` envelopes: valid against the contract,
 * deterministic ids (the same on every run, distinct per change), and the
 * System Log event that explains each kind where the log names the user.
 */
const sync = { orgId: 'org-1', syncId: 's2', completedAt: '2026-01-01T05:00:00.000Z' };
const previousStartedAt = '2026-01-01T00:00:00.000Z';

const CHANGES: DirectoryChange[] = [
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
const changes = { previousSyncId: 's1', previousStartedAt, items: CHANGES };

const fact = (
  uuid: string,
  eventType: string,
  targetIds: string[],
  published: string,
): LogFact => ({
  uuid,
  eventType,
  published,
  targetIds,
  outcome: 'SUCCESS',
  actorId: 'admin',
});
const at = (hour: number, minute = 0) => new Date(Date.UTC(2026, 0, 1, hour, minute)).toISOString();

/** One event per kind of the log, and a few that must not be taken. */
const FACTS: LogFact[] = [
  fact('e-suspend', 'user.lifecycle.suspend', ['u1'], at(2)),
  fact('e-revoke', 'user.account.privilege.revoke', ['u1'], at(2)),
  fact('e-activate', 'user.mfa.factor.activate', ['u2'], at(3)),
  fact('e-deactivate', 'user.mfa.factor.deactivate', ['u2'], at(3)),
  fact('e-leave', 'group.user_membership.remove', ['u2', 'g1'], at(3)),
  fact('e-unassign', 'application.user_membership.remove', ['a2', 'u2'], at(3)),
  fact('e-join', 'group.user_membership.add', ['u3', 'g1'], at(3)),
  fact('e-assign', 'application.user_membership.add', ['a1', 'u3'], at(3)),
  fact('e-grant', 'user.account.privilege.grant', ['u3'], at(3)),
  fact('e-delete', 'user.lifecycle.delete.completed', ['u4'], at(4)),
  // the wrong group, too early (before the previous start minus the overlap), too late
  fact('x-other-group', 'group.user_membership.add', ['u3', 'g9'], at(4)),
  fact('x-early', 'user.lifecycle.suspend', ['u1'], at(-1)),
  fact('x-late', 'user.lifecycle.delete.completed', ['u4'], at(6)),
];

function eventsOf(facts: LogFact[]) {
  const window = explanationWindow(previousStartedAt, sync.completedAt);
  return changeEventsOf(
    sync,
    changes,
    latestMatching(facts, CHANGES.map(explanationQueryOf), window),
  );
}

describe('change events of a sync', () => {
  it('are valid okta.changes.v1 records keyed by orgId, one change each, in order', () => {
    const events = eventsOf(FACTS);
    expect(events.map((e) => e.type)).toEqual(CHANGES.map((c) => c.type));
    for (const event of events) {
      const record = encodeMessage(TOPICS.changes, event);
      expect(record.key).toBe('org-1');
      expect(decodeMessage(TOPICS.changes, record.value, record.key)).toEqual({
        ok: true,
        message: event,
      });
      expect(event).toMatchObject({
        syncId: 's2',
        occurredAt: sync.completedAt,
        payload: { previousSyncId: 's1' },
      });
    }
    expect(events[0]!.payload).toEqual({
      userId: 'u1',
      from: 'ACTIVE',
      to: 'SUSPENDED',
      previousSyncId: 's1',
      explainedBy: { uuid: 'e-suspend', eventType: 'user.lifecycle.suspend', published: at(2) },
    });
  });

  it('have ids that are the same on every run and differ between changes', () => {
    const first = eventsOf(FACTS).map((e) => e.eventId);
    expect(eventsOf([...FACTS].reverse()).map((e) => e.eventId)).toEqual(first);
    // The explanation is no part of the id: without log facts, the same ids.
    expect(eventsOf([]).map((e) => e.eventId)).toEqual(first);
    expect(new Set(first).size).toBe(CHANGES.length);
    const otherSync = changeEventsOf({ ...sync, syncId: 's3' }, changes, []);
    expect(otherSync.filter((e) => first.includes(e.eventId))).toEqual([]);
  });

  it('are explained by the System Log event naming the user (and group or app), in the window', () => {
    expect(eventsOf(FACTS).map((e) => e.payload.explainedBy?.uuid ?? null)).toEqual([
      'e-suspend',
      'e-revoke',
      'e-activate',
      'e-deactivate',
      'e-leave',
      'e-unassign',
      'e-join',
      'e-assign',
      'e-grant',
      'e-delete',
    ]);
    expect(eventsOf([]).every((e) => e.payload.explainedBy === null)).toBe(true);
  });

  it('look for explanations from the previous sync start minus the overlap to this completion', () => {
    expect(explanationWindow(previousStartedAt, sync.completedAt)).toEqual({
      after: new Date(Date.parse(previousStartedAt) - EXPLANATION_OVERLAP_MS).toISOString(),
      through: sync.completedAt,
    });
    const justInside = fact('in', 'user.lifecycle.suspend', ['u1'], at(-1, 51));
    expect(eventsOf([justInside])[0]!.payload.explainedBy?.uuid).toBe('in');
  });

  it('are not explained where no event names the user: assignments and roles through a group', () => {
    expect(
      explanationQueryOf({ type: 'AppAssignmentAdded', userId: 'u1', appId: 'a1', scope: 'GROUP' }),
    ).toBeNull();
    expect(
      explanationQueryOf({
        type: 'AdminRoleGranted',
        userId: 'u1',
        roleType: 'ORG_ADMIN',
        assignmentType: 'GROUP',
      }),
    ).toBeNull();
    expect(
      explanationQueryOf({ type: 'UserStatusChanged', userId: 'u1', from: null, to: 'STAGED' }),
    ).toEqual({ eventTypes: ['user.lifecycle.create'], targets: ['u1'] });
  });
});
