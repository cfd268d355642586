import {
  changeEventId,
  decodeMessage,
  encodeMessage,
  EnvelopeBaseSchema,
  knownTypes,
  TOPICS,
  uuidV5,
} from './index';

const statusChanged = {
  eventId: changeEventId('org-1', 'sync-2', 'UserStatusChanged', ['u1']),
  type: 'UserStatusChanged' as const,
  schemaVersion: 1 as const,
  orgId: 'org-1',
  syncId: 'sync-2',
  occurredAt: '2026-01-01T05:00:00.000Z',
  payload: {
    userId: 'u1',
    from: 'ACTIVE',
    to: 'SUSPENDED',
    previousSyncId: 'sync-1',
    explainedBy: {
      uuid: 'e-1',
      eventType: 'user.lifecycle.suspend',
      published: '2026-01-01T03:00:00.000Z',
    },
  },
};

describe('change events (okta.changes.v1)', () => {
  it('carries the ten change types, v1', () => {
    expect(knownTypes(TOPICS.changes).sort()).toEqual(
      [
        'AdminRoleGranted@1',
        'AdminRoleRevoked@1',
        'AppAssignmentAdded@1',
        'AppAssignmentRemoved@1',
        'FactorEnrolled@1',
        'FactorRemoved@1',
        'GroupMembershipAdded@1',
        'GroupMembershipRemoved@1',
        'UserDeleted@1',
        'UserStatusChanged@1',
      ].sort(),
    );
  });

  it('round-trips a change keyed by orgId, keeping its deterministic id', () => {
    const record = encodeMessage(TOPICS.changes, statusChanged);
    expect(record.key).toBe('org-1');
    const decoded = decodeMessage(TOPICS.changes, record.value, record.key);
    expect(decoded).toEqual({ ok: true, message: statusChanged });
  });

  it('refuses a change without its sync id or with a malformed explanation', () => {
    const { syncId: _dropped, ...withoutSync } = statusChanged;
    expect(() => encodeMessage(TOPICS.changes, withoutSync as never)).toThrow(/syncId/);
    const bad = { ...statusChanged, payload: { ...statusChanged.payload, explainedBy: {} } };
    expect(() => encodeMessage(TOPICS.changes, bad as never)).toThrow(/explainedBy/);
  });

  it('makes RFC 4122 version-5 UUIDs (the published test vector)', () => {
    // Python: uuid.uuid5(uuid.NAMESPACE_DNS, 'python.org')
    expect(uuidV5('python.org', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '886313e1-3b8a-5372-9b90-0c9aee199e5d',
    );
  });

  it('gives the same change the same id, a different change another, and the envelope accepts it', () => {
    const a = changeEventId('org-1', 's2', 'GroupMembershipAdded', ['u1', 'g1']);
    expect(changeEventId('org-1', 's2', 'GroupMembershipAdded', ['u1', 'g1'])).toBe(a);
    const others = [
      changeEventId('org-2', 's2', 'GroupMembershipAdded', ['u1', 'g1']),
      changeEventId('org-1', 's3', 'GroupMembershipAdded', ['u1', 'g1']),
      changeEventId('org-1', 's2', 'GroupMembershipRemoved', ['u1', 'g1']),
      changeEventId('org-1', 's2', 'GroupMembershipAdded', ['u1', 'g2']),
      // the keys stay apart: ("u1g", "1") is not ("u1", "g1")
      changeEventId('org-1', 's2', 'GroupMembershipAdded', ['u1g', '1']),
    ];
    expect(new Set([a, ...others]).size).toBe(others.length + 1);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(EnvelopeBaseSchema.shape.eventId.safeParse(a).success).toBe(true);
  });
});
