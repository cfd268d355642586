import { authenticationEvidence, percent } from './authentication.evidence';
import {
  AS_OF,
  daysBefore,
  factor,
  logCoverage,
  logEvent,
  mfa,
  minutesAfter,
  orgState,
  signIn,
  user,
} from './org-state.testing';

describe('authentication evidence: MFA enrollment', () => {
  const state = orgState({
    users: [
      user('a', { factors: { status: 'read', items: [factor('push')] } }),
      // pending only: not enrolled
      user('b', {
        factors: {
          status: 'read',
          items: [factor('sms', 'PENDING_ACTIVATION'), factor('email', 'INACTIVE')],
        },
      }),
      user('c', { factors: { status: 'unknown', reason: 'E0000009 timeout' } }),
      user('d', {
        status: 'LOCKED_OUT',
        factors: {
          status: 'read',
          items: [
            factor('token:software:totp'),
            factor('push'),
            factor('sms', 'PENDING_ACTIVATION'),
          ],
        },
      }),
      user('e', { status: 'DEPROVISIONED', factors: { status: 'read', items: [factor('push')] } }),
      user('f', { status: 'STAGED' }),
      user('g', { status: 'PASSWORD_EXPIRED' }),
      user('h', { status: 'SUSPENDED', factors: { status: 'unknown', reason: 'x' } }),
    ],
  });
  const evidence = authenticationEvidence(state);

  it('counts active users (ACTIVE, LOCKED_OUT, PASSWORD_EXPIRED, RECOVERY) in three disjoint MFA states', () => {
    expect(evidence.summary.activeStatuses).toEqual([
      'ACTIVE',
      'LOCKED_OUT',
      'PASSWORD_EXPIRED',
      'RECOVERY',
    ]);
    expect(evidence.summary).toMatchObject({
      activeUsers: 5,
      mfaEnrolled: 2,
      mfaNotEnrolled: 2,
      mfaUnknown: 1,
    });
    expect(evidence.items.activeUsers.map((u) => [u.userId, u.mfa])).toEqual([
      ['a', 'enrolled'],
      ['b', 'not-enrolled'],
      ['c', 'unknown'],
      ['d', 'enrolled'],
      ['g', 'not-enrolled'],
    ]);
  });

  it('counts unknown-factor users as not covered, and gives the upper bound beside it', () => {
    expect(evidence.summary.mfaCoverage).toEqual({ numerator: 2, denominator: 5 });
    expect(evidence.summary.mfaCoveragePercent).toBe(40);
    expect(evidence.summary.mfaCoverageUpper).toEqual({ numerator: 3, denominator: 5 });
    expect(evidence.summary.mfaCoverageUpperPercent).toBe(60);
  });

  it('never reads more than enrolled ÷ active: 10 enrolled and 90 unreadable is 10 %', () => {
    const users = Array.from({ length: 100 }, (_, i) =>
      i < 10
        ? user(`u${i}`, { factors: { status: 'read', items: [factor('push')] } })
        : user(`u${i}`, { factors: { status: 'unknown', reason: 'E0000009 timeout' } }),
    );
    const summary = authenticationEvidence(orgState({ users })).summary;
    expect(summary.mfaCoveragePercent).toBe(10);
    expect(summary.mfaCoverage).toEqual({ numerator: 10, denominator: 100 });
    expect(summary.mfaCoverageUpperPercent).toBe(100);
    expect(summary.complete).toBe(false);
    expect(summary.incompleteDatasets).toEqual(['factors']);
  });

  it('lists active users without an ACTIVE factor, with the factors they do have', () => {
    expect(evidence.items.withoutMfa).toEqual([
      {
        userId: 'b',
        login: 'b@example.com',
        email: 'b@example.com',
        status: 'ACTIVE',
        factors: [
          { factorType: 'email', status: 'INACTIVE' },
          { factorType: 'sms', status: 'PENDING_ACTIVATION' },
        ],
      },
      {
        userId: 'g',
        login: 'g@example.com',
        email: 'g@example.com',
        status: 'PASSWORD_EXPIRED',
        factors: [],
      },
    ]);
    expect(evidence.items.mfaUnknown).toEqual([
      {
        userId: 'c',
        login: 'c@example.com',
        email: 'c@example.com',
        status: 'ACTIVE',
        reason: 'E0000009 timeout',
      },
    ]);
  });

  it('breaks down active users per ACTIVE factor type only', () => {
    expect(evidence.summary.factorTypeCounts).toEqual([
      { value: 'push', count: 2 },
      { value: 'token:software:totp', count: 1 },
    ]);
  });

  it('is incomplete when factors are unknown or failed in coverage', () => {
    expect(evidence.summary.complete).toBe(false);
    expect(evidence.summary.incompleteDatasets).toEqual(['factors']);
    const clean = authenticationEvidence(orgState({ users: [user('a')] }));
    expect(clean.summary.complete).toBe(true);
    const gap = { since: daysBefore(2), until: daysBefore(1), pollId: 'poll-1', missingBatches: 1 };
    const failedLog = authenticationEvidence(
      orgState({
        users: [user('a')],
        systemLog: logCoverage({ polls: 3, gaps: [gap], problems: ['gap'] }),
      }),
    );
    expect(failedLog.summary.incompleteDatasets).toEqual(['systemLog']);
    expect(failedLog.summary.coverage.systemLog).toEqual({ read: 3, failed: 1 });
    expect(failedLog.summary.incompleteReasons).toEqual([{ dataset: 'systemLog', reason: 'gap' }]);
  });

  it('gives 0 % when every active user is unknown, and null only without active users', () => {
    const allUnknown = authenticationEvidence(
      orgState({ users: [user('a', { factors: { status: 'unknown', reason: 'r' } })] }),
    );
    expect(allUnknown.summary.mfaCoverage).toEqual({ numerator: 0, denominator: 1 });
    expect(allUnknown.summary.mfaCoveragePercent).toBe(0);
    expect(allUnknown.summary.mfaCoverageUpperPercent).toBe(100);
    const nobody = authenticationEvidence(orgState({ users: [] }));
    expect(nobody.summary.mfaCoveragePercent).toBeNull();
  });

  it('rounds percentages to 2 decimals', () => {
    expect(percent({ numerator: 2, denominator: 3 })).toBe(66.67);
    expect(percent({ numerator: 1, denominator: 3 })).toBe(33.33);
    expect(percent({ numerator: 1, denominator: 8 })).toBe(12.5);
    expect(percent({ numerator: 3, denominator: 3 })).toBe(100);
    expect(percent({ numerator: 0, denominator: 0 })).toBeNull();
  });
});

describe('authentication evidence: sign-ins with and without MFA', () => {
  const s1 = daysBefore(1);
  const s2 = daysBefore(2);
  const s3 = daysBefore(3);
  const s4 = daysBefore(4);
  const s5 = daysBefore(5);
  const s7 = daysBefore(6);
  const s8 = daysBefore(7);
  const s9 = minutesAfter(s8, 1);
  const s10 = daysBefore(8);
  const events = [
    signIn('u1', s1),
    mfa('u1', minutesAfter(s1, 3)), // s1: with MFA (time)
    signIn('u1', s2), // s2: no verification at all
    signIn('u1', s3),
    mfa('u1', minutesAfter(s3, 6)), // too late for s3
    signIn('u1', s4, { sessionId: 'sess-4' }),
    mfa('u1', minutesAfter(s4, 60), { sessionId: 'sess-4' }), // s4: same session, any time
    signIn('u1', s5, { sessionId: 'sess-5' }),
    mfa('u1', minutesAfter(s5, 1), { sessionId: 'sess-other' }), // another session: not s5's
    signIn('u1', s7),
    mfa('u1', minutesAfter(s7, -1)), // Identity Engine order: verification first
    signIn('u1', s8),
    signIn('u1', s9),
    mfa('u1', minutesAfter(s8, 2)), // one verification: s8 takes it, s9 has none
    signIn('u1', s10, { transactionId: 'tx-10' }),
    mfa('u1', minutesAfter(s10, 30), { transactionId: 'tx-10' }), // s10: same transaction
    signIn('u1', daysBefore(31)), // outside the window
    signIn('u2', daysBefore(10)),
    mfa('u1', minutesAfter(daysBefore(10), 1)), // another actor's verification
    signIn('u1', daysBefore(1.5), { outcome: 'FAILURE' }),
    signIn(null, daysBefore(1.5), { outcome: 'FAILURE' }),
    signIn('ghost', daysBefore(2.5), { outcome: 'FAILURE' }),
    signIn('u1', minutesAfter(AS_OF, 1)), // after asOf: ignored
    signIn('u3', daysBefore(40)), // only an old sign-in
    logEvent('user.authentication.sso', daysBefore(1), 'u1'),
  ];
  const evidence = authenticationEvidence(
    orgState({ users: [user('u1'), user('u2'), user('u3')], logs: { events } }),
  );

  it('classifies each successful sign-in of the last 30 days', () => {
    expect(evidence.summary.signIns).toEqual({
      windowDays: 30,
      windowStart: daysBefore(30),
      windowEnd: AS_OF,
      successful: 10,
      withMfa: 5,
      withoutMfa: 5,
      withMfaBy: { session: 1, time: 3, transaction: 1 },
      failed: 3,
      mfaVerifications: 8,
      usersSignedIn: 2,
      mfaMatchBeforeMinutes: 2,
      mfaMatchAfterMinutes: 5,
    });
  });

  it('gives per-user figures and last sign-in, sorted by login with unknown actors last', () => {
    expect(evidence.items.signInActivity).toEqual([
      {
        userId: 'u1',
        login: 'u1@example.com',
        email: 'u1@example.com',
        status: 'ACTIVE',
        signIns: 9,
        withMfa: 5,
        withoutMfa: 4,
        failed: 1,
        lastSignIn: s1,
      },
      {
        userId: 'u2',
        login: 'u2@example.com',
        email: 'u2@example.com',
        status: 'ACTIVE',
        signIns: 1,
        withMfa: 0,
        withoutMfa: 1,
        failed: 0,
        lastSignIn: daysBefore(10),
      },
      {
        userId: 'u3',
        login: 'u3@example.com',
        email: 'u3@example.com',
        status: 'ACTIVE',
        signIns: 0,
        withMfa: 0,
        withoutMfa: 0,
        failed: 0,
        lastSignIn: daysBefore(40),
      },
      {
        userId: 'ghost',
        login: null,
        email: null,
        status: null,
        signIns: 0,
        withMfa: 0,
        withoutMfa: 0,
        failed: 1,
        lastSignIn: null,
      },
    ]);
  });

  it.each([
    ['5 minutes after', 5 * 60_000, 1],
    ['5 minutes and 1 ms after', 5 * 60_000 + 1, 0],
    ['2 minutes before', -2 * 60_000, 1],
    ['2 minutes and 1 ms before', -2 * 60_000 - 1, 0],
  ])('matches a verification %s the sign-in: %d', (_label, offsetMs, expected) => {
    const at = daysBefore(3);
    const verification = new Date(Date.parse(at) + offsetMs).toISOString();
    const result = authenticationEvidence(
      orgState({
        users: [user('u1')],
        logs: { events: [signIn('u1', at), mfa('u1', verification)] },
      }),
    );
    expect(result.summary.signIns.withMfa).toBe(expected);
    expect(result.summary.signIns.withoutMfa).toBe(1 - expected);
  });

  it('ignores failed verifications and counts a duplicated uuid once', () => {
    const at = daysBefore(3);
    const failedMfa = mfa('u1', minutesAfter(at, 1), { outcome: 'FAILURE' });
    const once = signIn('u1', at);
    const result = authenticationEvidence(
      orgState({ users: [user('u1')], logs: { events: [once, { ...once }, failedMfa] } }),
    );
    expect(result.summary.signIns).toMatchObject({
      successful: 1,
      withMfa: 0,
      mfaVerifications: 0,
    });
  });

  it('counts sign-ins at the window boundary: exactly 30 days in, 1 ms older out', () => {
    const edge = daysBefore(30);
    const older = new Date(Date.parse(edge) - 1).toISOString();
    const result = authenticationEvidence(
      orgState({
        users: [user('u1')],
        logs: { events: [signIn('u1', edge), signIn('u1', older)] },
      }),
    );
    expect(result.summary.signIns.successful).toBe(1);
  });
});
