import type { RunPart } from '@regentra/contracts';
import {
  abandonedMessage,
  failureNote,
  gateConnection,
  takeOverCutoff,
  leaseStillHeld,
  partsToRun,
  renewEveryMs,
  runOrder,
  requestResults,
  runResult,
  runTrigger,
  satisfiedScopes,
  stopsTheRun,
  sweepEveryMs,
  syncIdPrefix,
} from './run-decisions';

const at = (iso: string) => new Date(iso);
const scheduled = { requestedBy: 'schedule', pending: ['identity' as const] };
const manualAll = { requestedBy: 'api', pending: ['identity' as const, 'system-log' as const] };
const logOnly = { requestedBy: 'schedule', pending: ['system-log' as const] };

describe('which queued requests a run satisfies', () => {
  it('given only scheduled requests, when claimed, then the run is triggered by the schedule', () => {
    expect(runTrigger([scheduled, logOnly])).toBe('schedule');
  });

  it('given one manual request among scheduled ones, when claimed, then the run is manual', () => {
    expect(runTrigger([scheduled, manualAll])).toBe('manual');
  });

  it('given requests for different parts, when claimed, then one run covers their union', () => {
    expect([...partsToRun([scheduled, logOnly])].sort()).toEqual(['identity', 'system-log']);
    expect([...partsToRun([scheduled, scheduled])]).toEqual(['identity']);
  });

  it('given both parts, when ordered, then the System Log runs before the identity sync', () => {
    expect(runOrder(new Set(['identity', 'system-log']))).toEqual(['system-log', 'identity']);
    expect(runOrder(new Set(['identity']))).toEqual(['identity']);
    expect(runOrder(new Set())).toEqual([]);
  });

  it('names sync ids by kind', () => {
    expect(syncIdPrefix('identity')).toBe('sync');
    expect(syncIdPrefix('system-log')).toBe('logpoll');
  });
});

describe('whether the connection lets a run start', () => {
  it('given no connection, then the requests are skipped and no schedule skip is recorded', () => {
    expect(gateConnection(null)).toEqual({
      run: false,
      note: 'org has no Okta connection',
      scheduleSkip: null,
    });
  });

  it('given a rejected token, then the requests are skipped and the skip is recorded', () => {
    const gate = gateConnection({ state: 'credentials_invalid' });
    expect(gate.run).toBe(false);
    if (gate.run) return;
    expect(gate.note).toMatch(/Okta rejected the stored token/);
    expect(gate.scheduleSkip).toBe('credentials invalid: save the connection again');
  });

  it('given a connected org, then the run starts with that connection', () => {
    const connection = { state: 'connected', baseUrl: 'https://acme.okta.com' };
    expect(gateConnection(connection)).toEqual({ run: true, connection });
  });
});

describe('how a run ends', () => {
  const failed = (
    reason: 'credentials_invalid' | 'lease_lost' | 'okta_unavailable' | 'cancelled' | 'shutdown',
  ) => ({ state: 'failed', reason, message: 'x' }) as const;

  it('given a rejected token or a lost lease, then the remaining parts do not run', () => {
    expect(stopsTheRun(failed('credentials_invalid'))).toBe(true);
    expect(stopsTheRun(failed('lease_lost'))).toBe(true);
  });

  it('given a part cancelled (connection deleted) or stopped by a shutdown, then no later part runs', () => {
    expect(stopsTheRun(failed('cancelled'))).toBe(true);
    expect(stopsTheRun(failed('shutdown'))).toBe(true);
  });

  it('given Okta unavailable or a completed part, then the next part still runs', () => {
    expect(stopsTheRun(failed('okta_unavailable'))).toBe(false);
    expect(stopsTheRun({ state: 'completed' })).toBe(false);
  });

  it('given a failed part, then its note names the kind and the reason', () => {
    expect(failureNote('system-log', failed('okta_unavailable'))).toBe(
      'system-log: okta_unavailable',
    );
    expect(failureNote('identity', { state: 'completed' })).toBeNull();
  });

  it('given no failure, then the requests are done and late requests are satisfied', () => {
    expect(runResult([])).toEqual({
      state: 'done',
      note: 'completed',
      satisfiesLateRequests: true,
    });
  });

  it('given failures, then the requests fail with every note and late requests wait', () => {
    expect(runResult(['system-log: okta_unavailable', 'identity: lease_lost'])).toEqual({
      state: 'failed',
      note: 'system-log: okta_unavailable; identity: lease_lost',
      satisfiesLateRequests: false,
    });
  });
});

describe('how each claimed request ends', () => {
  const identity = { _id: 'r-identity', pending: ['identity' as const] };
  const log = { _id: 'r-log', pending: ['system-log' as const] };
  const all = { _id: 'r-all', pending: ['identity' as const, 'system-log' as const] };
  const ends = (notes: Array<[RunPart, string | null]>, stopNote: string | null = null) =>
    Object.fromEntries(
      requestResults([identity, log, all], new Map(notes), stopNote).flatMap((group) =>
        group.requestIds.map((id) => [id, `${group.result.state}: ${group.result.note}`]),
      ),
    );

  it('given the log poll failed beside a completed identity sync, then only requests needing the log fail', () => {
    expect(
      ends([
        ['system-log', 'system-log: internal'],
        ['identity', null],
      ]),
    ).toEqual({
      'r-identity': 'done: completed',
      'r-log': 'failed: system-log: internal',
      'r-all': 'failed: system-log: internal',
    });
  });

  it('given every part completed, then every request is done, in one group', () => {
    const groups = requestResults(
      [identity, log, all],
      new Map([
        ['system-log', null],
        ['identity', null],
      ]),
      null,
    );
    expect(groups).toEqual([
      {
        requestIds: ['r-identity', 'r-log', 'r-all'],
        result: { state: 'done', note: 'completed', satisfiesLateRequests: true },
        requeue: false,
      },
    ]);
  });

  it('given a stop after the log poll, then requests needing the identity sync fail with the reason', () => {
    expect(ends([['system-log', null]], 'cancelled: the connection was deleted')).toEqual({
      'r-identity': 'failed: identity: not run; cancelled: the connection was deleted',
      'r-log': 'done: completed',
      'r-all': 'failed: identity: not run; cancelled: the connection was deleted',
    });
  });

  it('given the log poll stopped the run (token rejected), then the identity request says why it did not run', () => {
    const rejected = 'system-log: credentials_invalid';
    expect(ends([['system-log', rejected]], rejected)).toEqual({
      'r-identity': `failed: identity: not run; ${rejected}`,
      'r-log': `failed: ${rejected}`,
      'r-all': `failed: identity: not run; ${rejected}`,
    });
  });

  it('given the lease was lost in the identity sync after the log poll completed, then what completed is done and the rest is requeued', () => {
    const lost = 'identity: lease_lost';
    const groups = requestResults(
      [identity, log, all],
      new Map([
        ['system-log', null],
        ['identity', lost],
      ]),
      lost,
      true,
    );
    expect(groups.map((g) => [g.requestIds, g.result.state, g.requeue])).toEqual([
      [['r-identity', 'r-all'], 'failed', true],
      [['r-log'], 'done', false],
    ]);
  });

  it('given a part skipped without a stop (the lease was lost), then it is not reported done', () => {
    expect(ends([['system-log', null]])['r-identity']).toBe(
      "failed: identity: not run (the org's lease was lost)",
    );
  });
});

// Which late requests a clean run satisfies is markSatisfied's filter: late-requests.int.spec.ts.
describe('what happens to a late request', () => {
  const both = new Set(['identity', 'system-log'] as const);
  const identity = new Set(['identity'] as const);

  it('given a run of both parts, then it satisfies "all" and each single scope', () => {
    expect(satisfiedScopes(both)).toEqual(['all', 'identity', 'system-log']);
  });

  it('given a run of one part, then it does not satisfy "all"', () => {
    expect(satisfiedScopes(identity)).toEqual(['identity']);
  });
});

// Which leases can be taken over is acquire's filter: org-lease.int.spec.ts.
describe('the org lease', () => {
  const now = at('2031-01-01T10:00:00Z');

  const ttl = 60_000;

  it('given the database clock, then renewals up to one ttl before it count as stopped', () => {
    expect(takeOverCutoff(now, ttl)).toEqual(at('2031-01-01T09:59:00Z'));
  });

  it('given our lease renewed into the future, then we still hold it', () => {
    const expiresAt = at('2031-01-01T10:00:05Z');
    expect(leaseStillHeld({ lost: false, expiresAt }, now)).toBe(true);
  });

  it('given a failed renew or an expiry that passed, then we no longer hold it', () => {
    const expiresAt = at('2031-01-01T10:00:05Z');
    expect(leaseStillHeld({ lost: true, expiresAt }, now)).toBe(false);
    expect(leaseStillHeld({ lost: false, expiresAt: now }, now)).toBe(false);
  });

  it('renews three times per lease period, at most every 250 ms', () => {
    expect(renewEveryMs(30_000)).toBe(10_000);
    expect(renewEveryMs(600)).toBe(250);
  });

  it('sweeps every 5 s, or twice per lease period when that is shorter', () => {
    expect(sweepEveryMs(60_000)).toBe(5_000);
    expect(sweepEveryMs(4_000)).toBe(2_000);
  });

  it('given a dead holder, then the abandoned message names it', () => {
    expect(abandonedMessage('collector-1234')).toBe(
      'collector collector-1234 stopped during this run; no completed event was published',
    );
  });
});
