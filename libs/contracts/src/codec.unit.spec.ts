import {
  CHANGE_EVENT_SCHEMAS,
  CURRENT_CHANGE_VERSIONS,
  CURRENT_COMMAND_VERSIONS,
  CURRENT_IDENTITY_VERSIONS,
  CURRENT_SYSTEM_LOG_VERSIONS,
  decodeMessage,
  encodeMessage,
  deadLetterRecord,
  TOPICS,
  DeadLetterSchema,
} from './index';

const orgId = 'org-1';
const started = {
  type: 'IdentitySyncStarted' as const,
  schemaVersion: 2 as const,
  orgId,
  syncId: 'sync-1',
  seq: 0,
  payload: {
    requestId: 'r1',
    trigger: 'manual' as const,
    startedAt: '2026-01-01T00:00:00.000Z',
    oktaDomain: 'acme.okta.com',
    mode: 'full' as const,
    fullReason: 'first sync',
    basis: null,
  },
};

describe('contracts codec', () => {
  it('round-trips an identity event keyed by orgId', () => {
    const record = encodeMessage(TOPICS.identity, started);
    expect(record.key).toBe(orgId);
    const decoded = decodeMessage(TOPICS.identity, Buffer.from(record.value), record.key);
    expect(decoded.ok).toBe(true);
    if (decoded.ok) {
      expect(decoded.message.type).toBe('IdentitySyncStarted');
      expect(decoded.message.payload).toEqual(started.payload);
    }
  });

  it('keeps unknown fields of raw Okta objects', () => {
    const record = encodeMessage(TOPICS.identity, {
      type: 'UsersPage',
      schemaVersion: 1,
      orgId,
      syncId: 's',
      seq: 1,
      payload: { users: [{ id: 'u1', status: 'ACTIVE', _links: { self: { href: 'x' } } }] },
    });
    const decoded = decodeMessage(TOPICS.identity, record.value);
    expect(
      decoded.ok && decoded.message.type === 'UsersPage' && decoded.message.payload.users[0],
    ).toMatchObject({ _links: { self: { href: 'x' } } });
  });

  it.each([
    ['not json', 'value is not JSON'],
    ['{"type":"X"}', 'invalid envelope'],
    [
      JSON.stringify({
        ...started,
        eventId: '0b6f7b0e-6f38-4a55-9b5a-1c1f1b0f1a11',
        occurredAt: '2026-01-01T00:00:00Z',
        schemaVersion: 9,
      }),
      'unknown type/schemaVersion IdentitySyncStarted@9',
    ],
    [
      JSON.stringify({
        ...started,
        eventId: '0b6f7b0e-6f38-4a55-9b5a-1c1f1b0f1a11',
        occurredAt: '2026-01-01T00:00:00Z',
        payload: {},
      }),
      'payload.requestId',
    ],
  ])('rejects %s with a readable reason', (value, reason) => {
    const decoded = decodeMessage(TOPICS.identity, value);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.reason).toContain(reason);
  });

  it('rejects a record whose key is not its orgId', () => {
    const record = encodeMessage(TOPICS.identity, started);
    const decoded = decodeMessage(TOPICS.identity, record.value, 'other-org');
    expect(decoded.ok).toBe(false);
  });

  it('refuses to encode an invalid event', () => {
    expect(() =>
      encodeMessage(TOPICS.identity, {
        ...started,
        payload: { ...started.payload, trigger: 'x' as never },
      }),
    ).toThrow(/refusing to publish invalid IdentitySyncStarted/);
  });

  it('keeps non-utf8 bytes of a dead letter as base64', () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00]);
    const record = deadLetterRecord({
      reason: 'r',
      rejectedBy: 't',
      topic: 'x',
      partition: 0,
      offset: '1',
      key: null,
      value: bytes,
    });
    const letter = DeadLetterSchema.parse(JSON.parse(record.value));
    expect(letter.originalEncoding).toBe('base64');
    expect(Buffer.from(letter.originalValue ?? '', 'base64')).toEqual(bytes);
  });

  describe('versions', () => {
    const failed = (schemaVersion: number, reason: string) =>
      JSON.stringify({
        eventId: '6f1c2b7e-1d2a-4c3b-9e8f-0a1b2c3d4e5f',
        type: 'IdentitySyncFailed',
        schemaVersion,
        orgId,
        occurredAt: '2026-01-01T00:00:00.000Z',
        syncId: 's',
        seq: 3,
        payload: {
          requestId: 'r',
          failedAt: '2026-01-01T00:00:00.000Z',
          reason,
          retryable: true,
          message: 'm',
        },
      });

    it('upcasts a published v1 IdentitySyncFailed to v2', () => {
      const decoded = decodeMessage(TOPICS.identity, failed(1, 'abandoned'));
      expect(decoded).toMatchObject({ ok: true, message: { schemaVersion: 2 } });
    });

    it('takes the new reasons only in v2', () => {
      expect(decodeMessage(TOPICS.identity, failed(2, 'token_undecryptable')).ok).toBe(true);
      expect(decodeMessage(TOPICS.identity, failed(2, 'shutdown')).ok).toBe(true);
      const v1 = decodeMessage(TOPICS.identity, failed(1, 'token_undecryptable'));
      expect(v1).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/IdentitySyncFailed@1/),
      });
    });

    it('upcasts a published v1 IdentitySyncStarted and IdentitySyncCompleted to full-mode current (v3)', () => {
      const envelope = {
        eventId: '0b6c7a52-4d7e-4c1e-9f1e-2a4b5c6d7e8f',
        orgId,
        occurredAt: '2026-01-01T00:00:00.000Z',
        syncId: 's',
      };
      const startedV1 = JSON.stringify({
        ...envelope,
        type: 'IdentitySyncStarted',
        schemaVersion: 1,
        seq: 0,
        payload: {
          requestId: 'r',
          trigger: 'manual',
          startedAt: '2026-01-01T00:00:00.000Z',
          oktaDomain: 'a.okta.com',
        },
      });
      expect(decodeMessage(TOPICS.identity, startedV1)).toMatchObject({
        ok: true,
        message: { schemaVersion: 3, payload: { mode: 'full', basis: null } },
      });
      const completedV1 = JSON.stringify({
        ...envelope,
        type: 'IdentitySyncCompleted',
        schemaVersion: 1,
        seq: 4,
        payload: {
          requestId: 'r',
          completedAt: '2026-01-01T00:00:00.000Z',
          counts: {},
          coverage: {},
          lastSeq: 3,
        },
      });
      expect(decodeMessage(TOPICS.identity, completedV1)).toMatchObject({
        ok: true,
        message: {
          schemaVersion: 3,
          payload: { mode: 'full', basis: null, reads: null, lastSeq: 3 },
        },
      });
    });

    it('upcasts a published v2 IdentitySyncStarted to v3 without provenance, and takes v3 with it', () => {
      const started = (schemaVersion: number, extra: Record<string, unknown>) =>
        JSON.stringify({
          eventId: '0b6c7a52-4d7e-4c1e-9f1e-2a4b5c6d7e8f',
          orgId,
          occurredAt: '2026-01-01T00:00:00.000Z',
          syncId: 's',
          type: 'IdentitySyncStarted',
          schemaVersion,
          seq: 0,
          payload: {
            requestId: 'r',
            trigger: 'manual',
            startedAt: '2026-01-01T00:00:00.000Z',
            oktaDomain: 'a.okta.com',
            mode: 'full',
            fullReason: 'first sync',
            basis: null,
            ...extra,
          },
        });
      const v2 = decodeMessage(TOPICS.identity, started(2, {}));
      expect(v2).toMatchObject({ ok: true, message: { schemaVersion: 3 } });
      expect(v2.ok && 'provenance' in v2.message.payload).toBe(false);
      const provenance = {
        oktaDomain: 'login.acme.example',
        apiHost: 'a.okta.com',
        oktaOrgId: '00o1',
        tokenOwnerId: '00u1',
        oauthClientId: null,
        collectorInstance: 'collector-1234abcd',
        collectorVersion: '0.1.0',
      };
      expect(decodeMessage(TOPICS.identity, started(3, { provenance }))).toMatchObject({
        ok: true,
        message: { schemaVersion: 3, payload: { provenance } },
      });
      // v2 is published history: a provenance on it is not part of its schema and is dropped
      const stray = decodeMessage(TOPICS.identity, started(2, { provenance }));
      expect(stray.ok && 'provenance' in stray.message.payload).toBe(false);
    });

    it('upcasts a v1 SyncRequested (no mode) to v2 with mode auto, and takes mode full in v2', () => {
      const command = (schemaVersion: number, extra: Record<string, unknown>) =>
        JSON.stringify({
          eventId: '0b6c7a52-4d7e-4c1e-9f1e-2a4b5c6d7e8f',
          type: 'SyncRequested',
          schemaVersion,
          orgId,
          occurredAt: '2026-01-01T00:00:00.000Z',
          payload: {
            scope: 'identity',
            requestId: 'r',
            requestedAt: '2026-01-01T00:00:00.000Z',
            requestedBy: 'x',
            ...extra,
          },
        });
      expect(decodeMessage(TOPICS.commands, command(1, {}))).toMatchObject({
        ok: true,
        message: { schemaVersion: 2, payload: { mode: 'auto' } },
      });
      expect(decodeMessage(TOPICS.commands, command(2, { mode: 'full' }))).toMatchObject({
        ok: true,
        message: { payload: { mode: 'full' } },
      });
      expect(decodeMessage(TOPICS.commands, command(2, { mode: 'sometimes' })).ok).toBe(false);
    });

    it('names the current version of each identity event type', () => {
      expect(CURRENT_IDENTITY_VERSIONS.IdentitySyncFailed).toBe(2);
      expect(CURRENT_IDENTITY_VERSIONS.ConnectionStateChanged).toBe(2);
      expect(CURRENT_IDENTITY_VERSIONS.UsersPage).toBe(1);
      expect(CURRENT_IDENTITY_VERSIONS.IdentitySyncStarted).toBe(3);
      expect(CURRENT_IDENTITY_VERSIONS.IdentitySyncCompleted).toBe(3);
    });

    it('names the current version of each command, System Log and change event type', () => {
      expect(CURRENT_COMMAND_VERSIONS).toEqual({ SyncRequested: 2, SystemLogRereadRequested: 1 });
      expect(CURRENT_SYSTEM_LOG_VERSIONS).toEqual({
        SystemLogPollStarted: 1,
        SystemLogBatch: 1,
        SystemLogPollCompleted: 2,
        SystemLogPollFailed: 1,
      });
      expect(CURRENT_CHANGE_VERSIONS.UserStatusChanged).toBe(1);
      expect(Object.keys(CURRENT_CHANGE_VERSIONS)).toEqual(
        CHANGE_EVENT_SCHEMAS.map((schema) => schema.shape.type.value),
      );
    });

    it('refuses an orgId that is not a valid org id in any envelope (dead-letter material)', () => {
      const bad = failed(2, 'internal').replace(`"orgId":"${orgId}"`, '"orgId":"../etc/passwd"');
      expect(decodeMessage(TOPICS.identity, bad)).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/orgId/),
      });
    });
  });
});
