import { emptyUnread, UNREAD_REREAD_MAX } from './datasets';
import { decideMode, ModeInput, PastRun } from './sync-mode';

const at = (iso: string) => new Date(iso);
const completed = (
  id: string,
  startedAt: string,
  mode: 'full' | 'incremental',
  extra: Partial<PastRun> = {},
): PastRun => ({
  _id: id,
  kind: 'identity',
  state: 'completed',
  startedAt: at(startedAt),
  connectionGeneration: 3,
  outcome: { mode, roleHolderIds: ['00u-admin'] },
  ...extra,
});

const input = (over: Partial<ModeInput> = {}): ModeInput => ({
  now: at('2031-03-04T08:00:00Z'),
  configured: 'incremental',
  requestedFull: false,
  trigger: 'schedule',
  fullSyncHoursUtc: [0],
  connectionGeneration: 3,
  identityRuns: [
    completed('sync-b', '2031-03-04T04:00:00Z', 'incremental'),
    completed('sync-a', '2031-03-04T00:00:00Z', 'full'),
  ],
  lastFullAt: at('2031-03-04T00:00:00Z'),
  logRunsSinceBase: [],
  overlapMinutes: 10,
  maxFullAgeHours: 25,
  ...over,
});

describe('full or incremental', () => {
  it('given a completed base and a recent full sync, then incremental from the base start minus the overlap', () => {
    const decision = decideMode(input());
    expect(decision).toMatchObject({
      mode: 'incremental',
      basis: { baseSyncId: 'sync-b', changedSince: '2031-03-04T03:50:00.000Z' },
    });
    expect(decision.mode === 'incremental' && [...(decision.baseRoleHolders ?? [])]).toEqual([
      '00u-admin',
    ]);
  });

  it.each<[string, Partial<ModeInput>, RegExp]>([
    ['the first sync', { identityRuns: [], lastFullAt: null }, /first sync/],
    ['no full sync ever completed (only incremental ones)', { lastFullAt: null }, /no full sync/],
    ['a request for a full sync', { requestedFull: true }, /requested/],
    ['incremental syncs switched off', { configured: 'full' }, /IDENTITY_SYNC_MODE/],
    ['the 00:00 UTC slot', { now: at('2031-03-04T00:00:05Z') }, /scheduled full sync/],
    [
      'a failed last sync',
      {
        identityRuns: [
          { ...completed('sync-c', '2031-03-04T06:00:00Z', 'incremental'), state: 'failed' },
          completed('sync-a', '2031-03-04T00:00:00Z', 'full'),
        ],
      },
      /did not complete/,
    ],
    [
      'an abandoned last sync',
      {
        identityRuns: [
          { ...completed('sync-c', '2031-03-04T06:00:00Z', 'incremental'), state: 'abandoned' },
        ],
      },
      /did not complete/,
    ],
    ['a connection saved again (domain or token)', { connectionGeneration: 4 }, /saved again/],
    [
      'a last sync that left factors unread (coverage failed)',
      {
        identityRuns: [
          completed('sync-b', '2031-03-04T04:00:00Z', 'incremental', {
            outcome: { mode: 'incremental', coverage: { factors: { read: 9, failed: 3 } } },
          }),
        ],
      },
      /could not read 3/,
    ],
    ['no full sync for over a day', { lastFullAt: at('2031-03-03T06:00:00Z') }, /no full sync/],
    [
      'a System Log cursor reset since the base',
      {
        logRunsSinceBase: [
          {
            _id: 'logpoll-x',
            kind: 'system-log',
            state: 'completed',
            startedAt: at('2031-03-04T04:30:00Z'),
            outcome: { mode: 'fallback' },
          },
        ],
      },
      /cursor was reset/,
    ],
  ])('given %s, then full', (_what, over, reason) => {
    const decision = decideMode(input(over));
    expect(decision.mode).toBe('full');
    expect(decision.mode === 'full' && decision.reason).toMatch(reason);
  });

  it('given a manual Sync Now at the full-sync hour, then incremental (only the schedule makes that slot full)', () => {
    expect(
      decideMode(
        input({
          now: at('2031-03-05T00:10:00Z'),
          trigger: 'manual',
          identityRuns: [completed('sync-b', '2031-03-04T23:00:00Z', 'full')],
        }),
      ).mode,
    ).toBe('incremental');
  });

  it('given a base stored before role holders were kept, then every holder is read (holders unknown)', () => {
    const decision = decideMode(
      input({
        identityRuns: [
          completed('sync-b', '2031-03-04T04:00:00Z', 'full', { outcome: { mode: 'full' } }),
        ],
      }),
    );
    expect(decision).toMatchObject({ mode: 'incremental', baseRoleHolders: null });
  });

  describe('objects the base could not read', () => {
    const unreadFactors = ['00u-b', '00u-a', '00u-c'];
    const base = (outcome: Record<string, unknown>) =>
      input({
        identityRuns: [
          completed('sync-b', '2031-03-04T04:00:00Z', 'incremental', {
            outcome: { mode: 'incremental', roleHolderIds: ['00u-admin'], ...outcome },
          }),
        ],
      });

    it('given a base that recorded the ids of the factors it could not read, then incremental, re-reading exactly those', () => {
      const decision = decideMode(
        base({
          coverage: { factors: { read: 9, failed: 3 }, users: { read: 12, failed: 0 } },
          unread: { ...emptyUnread(), factors: unreadFactors },
        }),
      );
      expect(decision).toMatchObject({
        mode: 'incremental',
        basis: { baseSyncId: 'sync-b' },
        reread: { ...emptyUnread(), factors: unreadFactors },
        rereadCount: 3,
      });
    });

    it('given a base with nothing unread, then incremental, re-reading nothing', () => {
      expect(
        decideMode(base({ coverage: { factors: { read: 9, failed: 0 } }, unread: emptyUnread() })),
      ).toMatchObject({ mode: 'incremental', reread: emptyUnread(), rereadCount: 0 });
    });

    it('given groups the base published trimmed (an incremental re-lists groups anyway), then incremental', () => {
      expect(
        decideMode(base({ coverage: { groups: { read: 4, failed: 1 } }, unread: emptyUnread() })),
      ).toMatchObject({ mode: 'incremental', rereadCount: 0 });
    });

    it.each<[string, Record<string, unknown>, RegExp]>([
      [
        'more unread objects than a sync re-reads by id',
        {
          coverage: { factors: { read: 0, failed: UNREAD_REREAD_MAX + 1 } },
          unread: {
            ...emptyUnread(),
            factors: Array.from({ length: UNREAD_REREAD_MAX }, (_, i) => `00u-${i}`),
          },
        },
        /could not read 1001 objects \(more than 1000/,
      ],
      [
        'unread objects whose ids were not recorded (a run stored before they were)',
        { coverage: { factors: { read: 9, failed: 3 } } },
        /could not read 3 objects or lists and did not record which/,
      ],
      [
        'an unread dataset with no ids recorded for it',
        {
          coverage: { groupMembers: { read: 4, failed: 2 } },
          unread: { ...emptyUnread(), factors: ['00u-a'] },
        },
        /could not read 2 objects or lists and did not record which/,
      ],
      [
        'an unreadable list of role holders (no ids to re-read)',
        { coverage: { roleAssignees: { read: 0, failed: 1 } }, unread: emptyUnread() },
        /could not read the roleAssignees list/,
      ],
    ])('given %s, then full', (_what, outcome, reason) => {
      const decision = decideMode(base(outcome));
      expect(decision.mode).toBe('full');
      expect(decision.mode === 'full' && decision.reason).toMatch(reason);
    });

    it('given recorded unread ids at the full-sync hour, then full on its schedule', () => {
      const decision = decideMode({
        ...base({
          coverage: { factors: { read: 9, failed: 3 } },
          unread: { ...emptyUnread(), factors: unreadFactors },
        }),
        now: at('2031-03-04T00:00:05Z'),
      });
      expect(decision.mode === 'full' && decision.reason).toMatch(/scheduled full sync/);
    });
  });
});
