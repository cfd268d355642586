import type { LogFact } from '../log-facts/log-event.document';
import { InMemoryLogFacts, prng, randomFacts } from '../log-facts/log-facts.testing';
import { foldLogWindow } from '../log-facts/log-window.fold';
import { LOG_DAY_PAGE_BYTES } from '../log-facts/log-day.pages';
import { computeEvidence } from './rules/evidence';
import { SIGN_IN_WINDOW_DAYS } from './rules/evidence-rules';
import { orgState, user } from './rules/org-state.testing';

/**
 * The rollups and the day-by-day fold give the evidence the old path gave:
 * every fact of (asOf − 91 days, asOf] in memory at once.
 */
const DAY = 86_400_000;
const START = Date.parse('2025-01-01T00:00:00.000Z');
const LOOKBACK_DAYS = 91;
const WINDOW = { lookbackDays: LOOKBACK_DAYS, signInDays: SIGN_IN_WINDOW_DAYS };

/** The old read: published in (asOf − 91 days, asOf] as strings, all at once. */
function oldWay(facts: LogFact[], asOf: string) {
  const from = new Date(Date.parse(asOf) - LOOKBACK_DAYS * DAY).toISOString();
  const events = facts
    .filter((f) => f.published > from && f.published <= asOf)
    .sort((a, b) => (a.published < b.published ? -1 : a.published > b.published ? 1 : 0));
  return { events, logsThrough: events.length ? events[events.length - 1]!.published : null };
}

const users = Array.from({ length: 12 }, (_, i) =>
  user(`u${i}`, { status: i % 4 === 0 ? 'DEPROVISIONED' : 'ACTIVE', deactivatedAt: null }),
);

/** Users the directory marked removed (the deletion events of the facts target them). */
const removedUsers = Array.from({ length: 12 }, (_, i) => ({
  id: `u${i}`,
  login: `u${i}@example.com`,
  email: null,
  status: 'DEPROVISIONED',
  removedAt: '2025-01-01T00:00:00.000Z',
  removedBySyncId: 'sync-0',
}));

describe('log figures folded from per-day rollups', () => {
  const asOfs = [
    '2025-04-11T00:00:00.000Z', // midnight
    '2025-04-05T13:37:11.123Z', // mid-day
    '2025-04-10T23:59:59.999Z',
    '2025-03-20T00:03:00.000Z', // just after midnight: yesterday's sign-ins match today's verifications
    '2025-02-02T06:00:00.000Z', // window starts before the first fact
    '2025-06-01T12:00:00.000Z', // after the last fact
  ];

  // Rollups stored as they are for a small org (lists inline in the day's head), and as for a
  // large one (a 300-byte page budget: every list of a day over several pages).
  const shapes = [
    { shape: 'inline', pageBytes: LOG_DAY_PAGE_BYTES },
    { shape: 'paged', pageBytes: 300 },
  ];
  for (const seed of [1, 2, 3])
    for (const { shape, pageBytes } of shapes)
      it(`gives the old evidence and logsThrough for every asOf (seed ${seed}, ${shape})`, async () => {
        const facts = randomFacts(seed);
        const store = new InMemoryLogFacts('org-1', facts, pageBytes);
        await store.rollUpAll();
        // asOf equal to a fact's published, and mid-day ones drawn from the seed
        const r = prng(seed + 100);
        const more = [
          facts[1234]!.published,
          ...Array.from({ length: 4 }, () =>
            new Date(START + 31 * DAY + r() * 68 * DAY).toISOString(),
          ),
        ];
        for (const asOf of [...asOfs, ...more]) {
          const old = oldWay(facts, asOf);
          const folded = await foldLogWindow(store, 'org-1', asOf, WINDOW);
          const expected = computeEvidence(
            orgState({ asOf, users, removedUsers, logs: { events: old.events } }),
          );
          const actual = computeEvidence(
            orgState({ asOf, users, removedUsers, logs: { events: [], figures: folded.figures } }),
          );
          expect({ asOf, evidence: actual }).toEqual({ asOf, evidence: expected });
          expect({ asOf, logsThrough: folded.logsThrough }).toEqual({
            asOf,
            logsThrough: old.logsThrough,
          });
        }
        // the generator does produce what the test is about
        const auth = computeEvidence(
          orgState({ asOf: asOfs[0], users, logs: { events: oldWay(facts, asOfs[0]!).events } }),
        ).authentication.summary.signIns;
        expect(auth.withMfaBy.session).toBeGreaterThan(0);
        expect(auth.withMfaBy.transaction).toBeGreaterThan(0);
        expect(auth.withMfaBy.time).toBeGreaterThan(0);
        const deleted = computeEvidence(
          orgState({
            asOf: asOfs[0],
            users,
            removedUsers,
            logs: { events: oldWay(facts, asOfs[0]!).events },
          }),
        ).provisioning.items.deletedUsers;
        expect(deleted.filter((d) => d.deleteEvent !== null).length).toBeGreaterThan(0);
        expect([...store.rollups.values()].filter((d) => d.linked !== null).length).toBeGreaterThan(
          10,
        );
        const heads = [...store.rollups.keys()].map((day) => store.storedOf(day)!.head);
        if (shape === 'inline') expect(heads.every((h) => !h.pages)).toBe(true);
        else {
          // (nearly) every day paged, most lists over several pages, each page within its budget
          expect(heads.filter((h) => h.pages).length).toBeGreaterThan(heads.length * 0.9);
          const multi = (list: 'actors' | 'deactivations' | 'linked') =>
            heads.filter((h) => (h.pages?.[list] ?? 0) > 1).length;
          expect(multi('actors')).toBeGreaterThan(heads.length / 2);
          expect(multi('deactivations')).toBeGreaterThan(heads.length / 3);
          expect(heads.filter((h) => (h.pages?.deletions ?? 0) > 0).length).toBeGreaterThan(0);
          expect(multi('linked')).toBeGreaterThan(5);
          expect(store.pageReads.length).toBeGreaterThan(100);
          for (const bytes of store.pageReads) expect(bytes).toBeLessThanOrEqual(pageBytes + 200);
        }
      });

  it('reads a day of facts at a time, and only the days at the edges of the cut', async () => {
    const facts = randomFacts(7, false);
    const store = new InMemoryLogFacts('org-1', facts);
    await store.rollUpAll();
    const perDay = Math.max(
      ...[...store.rollups.keys()].map(
        (day) => facts.filter((f) => f.published.startsWith(day)).length,
      ),
    );
    const asOf = '2025-04-05T13:37:11.123Z';
    const inWindow = oldWay(facts, asOf).events.length;
    await foldLogWindow(store, 'org-1', asOf, WINDOW);
    const linked = Math.max(...[...store.rollups.values()].map((d) => d.linked?.uuids.length ?? 0));
    // Each read is one day plus the few facts of other days linked to its sign-ins.
    for (const read of store.reads) expect(read).toBeLessThanOrEqual(perDay + linked);
    expect(linked).toBeLessThan(10);
    // The first day (cut at asOf − 91 days), the window's first day, asOf's day, and
    // the days whose MFA components cross those cuts: a handful of days, not 92.
    expect(store.reads.length).toBeLessThanOrEqual(8);
    const read = store.reads.reduce((a, b) => a + b, 0);
    expect(read).toBeLessThan(inWindow / 8);
  });
});
