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
});
