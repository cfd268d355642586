import type { ConnectionView } from '../connections/connection.types';
import type { SyncRunDoc } from '../sync-runs/sync-run.types';
import { fleetStatus } from './fleet-status';

const NOW = new Date('2031-05-01T12:00:00Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000);

function connection(orgId: string, patch: Partial<ConnectionView> = {}): ConnectionView {
  return {
    _id: orgId,
    orgId,
    baseUrl: 'https://acme.okta.com',
    token: { keyId: 'k1' },
    state: 'connected',
    stateReason: null,
    tokenOwner: null,
    roles: [],
    readOnly: true,
    warnings: [],
    savedAt: daysAgo(40),
    lastTestedAt: daysAgo(40),
    tokenLastUsedAt: daysAgo(1),
    generation: 1,
    lastScheduleSkip: null,
    ...patch,
  };
}

function run(orgId: string, kind: SyncRunDoc['kind'], state: SyncRunDoc['state']): SyncRunDoc {
  return {
    _id: `${kind}-${orgId}`,
    orgId,
    kind,
    requestIds: [],
    trigger: 'schedule',
    holder: 'collector-a',
    fence: 1,
    state,
    startedAt: daysAgo(0.1),
    finishedAt: state === 'running' ? null : daysAgo(0.05),
    phase: 'done',
    progress: {},
    outcome: state === 'failed' ? { reason: 'okta_unavailable', message: '5xx' } : null,
  };
}

describe('fleet status', () => {
  it('lists orgs by state for an operator', () => {
    const status = fleetStatus(
      NOW,
      [
        connection('org-ok'),
        connection('org-run'),
        connection('org-fail'),
        connection('org-401', { state: 'credentials_invalid', stateReason: 'E0000011' }),
        connection('org-idle', { tokenLastUsedAt: daysAgo(21) }),
        connection('org-never', { tokenLastUsedAt: null, savedAt: daysAgo(25) }),
      ],
      [
        run('org-ok', 'identity', 'completed'),
        run('org-run', 'identity', 'running'),
        run('org-fail', 'system-log', 'failed'),
        run('org-gone', 'identity', 'failed'), // no connection any more: not listed
      ],
      new Map([
        ['org-run', 2],
        ['org-gone', 1],
      ]),
      () => true,
    );
    expect(status.orgs).toBe(6);
    expect(status.running.map((r) => r.orgId)).toEqual(['org-run']);
    expect(status.queued).toEqual([{ orgId: 'org-run', requests: 2 }]);
    expect(status.lastFailed).toEqual([
      expect.objectContaining({
        orgId: 'org-fail',
        kind: 'system-log',
        reason: 'okta_unavailable',
      }),
    ]);
    expect(status.credentialsInvalid).toEqual([{ orgId: 'org-401', reason: 'E0000011' }]);
    expect(status.tokenUnused).toEqual([
      { orgId: 'org-idle', tokenLastUsedAt: daysAgo(21), unusedDays: 21 },
      { orgId: 'org-never', tokenLastUsedAt: null, unusedDays: 25 },
    ]);
    expect(status.counts).toEqual({
      running: 1,
      queued: 1,
      lastFailed: 1,
      credentialsInvalid: 1,
      tokenUndecryptable: 0,
      tokenUnused: 2,
    });
    expect(JSON.stringify(status)).not.toContain('ciphertext');
  });

  it('lists a running run whose collector died (its lease lapsed) as abandoned, not running', () => {
    const dead = { ...run('org-dead', 'identity', 'running'), holder: 'collector-gone' };
    const status = fleetStatus(
      NOW,
      [connection('org-run'), connection('org-dead')],
      [run('org-run', 'identity', 'running'), dead],
      new Map(),
      (r) => r.holder === 'collector-a',
    );
    expect(status.running.map((r) => r.orgId)).toEqual(['org-run']);
    expect(status.lastFailed).toEqual([
      expect.objectContaining({ orgId: 'org-dead', state: 'abandoned', reason: 'abandoned' }),
    ]);
    expect(status.counts).toEqual(expect.objectContaining({ running: 1, lastFailed: 1 }));
  });
});
