import { BSON } from 'mongodb';
import { MAX_MESSAGE_BYTES } from '@regentra/contracts';
import type { ActorEntry, LogDayRollup } from './log-day.document';
import {
  digestOf,
  LOG_DAY_PAGE_BYTES,
  LogDayPagesChanged,
  splitByBytes,
  storedFormOf,
} from './log-day.pages';
import type { LogFact } from './log-event.document';
import { InMemoryLogFacts, randomFacts } from './log-facts.testing';
import { emptyTotals, figuresOfLogs, timedFacts } from './log-figures';
import { foldLogWindow } from './log-window.fold';

/**
 * A day's rollup is stored so that no document grows with the org: its lists
 * go to pages of at most LOG_DAY_PAGE_BYTES, whatever the number of actors,
 * and the fold reads them a page at a time to the same figures.
 */
const MiB = 1024 * 1024;
const DAY = 86_400_000;
const WINDOW = { lookbackDays: 91, signInDays: 30 };
/** An org id as long as OrgIdSchema allows. */
const LONG_ORG = 'o'.repeat(128);
/** Room for a page's own fields (ids, list name, page number) with that org id. */
const PAGE_HEADER_BYTES = 1024;

function allAtOnce(facts: LogFact[], asOf: string) {
  const asOfMs = Date.parse(asOf);
  const from = new Date(asOfMs - WINDOW.lookbackDays * DAY).toISOString();
  const visible = facts.filter((f) => f.published > from && f.published <= asOf);
  return {
    figures: figuresOfLogs(timedFacts(visible, asOfMs), {
      startMs: asOfMs - WINDOW.signInDays * DAY,
      endMs: asOfMs,
    }),
    logsThrough:
      visible
        .map((f) => f.published)
        .sort()
        .at(-1) ?? null,
  };
}

/**
 * The largest per-actor entry real System Log facts give: counters past
 * int32 (encoded as doubles), the latest time JavaScript dates allow, a
 * 36-character uuid, `published` with microseconds and an offset, and an
 * actor id five times as long as Okta's 20-character ids.
 */
const largestActor = (i: number): ActorEntry => ({
  actorId: `${String(i).padStart(100, 'a')}`,
  signIns: Number.MAX_SAFE_INTEGER,
  withMfa: Number.MAX_SAFE_INTEGER,
  withoutMfa: Number.MAX_SAFE_INTEGER,
  failed: Number.MAX_SAFE_INTEGER,
  lastSignIn: {
    at: 8.64e15,
    uuid: '01234567-89ab-cdef-0123-456789abcdef',
    published: '2025-12-31T23:59:59.999999+14:00',
  },
});

const dayOfActors = (orgId: string, actors: ActorEntry[]): LogDayRollup => ({
  orgId,
  day: '2025-03-03',
  minAt: Date.parse('2025-03-03T00:00:00.000Z'),
  maxAt: Date.parse('2025-03-03T23:59:59.999Z'),
  maxPublished: '2025-03-03T23:59:59.999Z',
  totals: emptyTotals(),
  actors,
  deactivations: [],
  deletions: [],
  linked: null,
});

describe('the page budget', () => {
  it('holds for pages of the largest per-actor entry', () => {
    const actors = Array.from({ length: 5_000 }, (_, i) => largestActor(i));
    const bytes = BSON.calculateObjectSize(actors[0]!);
    // the measured 214 bytes of a real entry; this one is the largest facts give
    expect(bytes).toBeGreaterThan(214);
    expect(bytes).toBeLessThan(400);
    const { head, pages } = storedFormOf(dayOfActors(LONG_ORG, actors), 'f'.repeat(16));
    expect(pages.length).toBeGreaterThan(3);
    for (const [n, page] of pages.entries()) {
      expect(BSON.calculateObjectSize(page)).toBeLessThanOrEqual(
        LOG_DAY_PAGE_BYTES + PAGE_HEADER_BYTES,
      );
      // a page closes only when the next entry would not fit
      if (n < pages.length - 1)
        expect(page.entries.length).toBeGreaterThanOrEqual(Math.floor(LOG_DAY_PAGE_BYTES / 400));
    }
    // the head of a paged day holds no list: fixed fields and three page counts
    expect(BSON.calculateObjectSize(head)).toBeLessThan(PAGE_HEADER_BYTES);
  });

  it('gives an entry as large as a System Log record can make it a page to itself, far below 16 MiB', () => {
    // every string of an entry comes from one event, which came in one record
    const huge = { ...largestActor(0), actorId: 'x'.repeat(MAX_MESSAGE_BYTES) };
    const actors = [largestActor(1), huge, largestActor(2)];
    const { pages } = storedFormOf(dayOfActors(LONG_ORG, actors), 'f'.repeat(16), 1024);
    expect(pages.map((p) => p.entries.length)).toEqual([1, 1, 1]);
    const largest = Math.max(...pages.map((p) => BSON.calculateObjectSize(p)));
    expect(largest).toBeLessThanOrEqual(MAX_MESSAGE_BYTES + PAGE_HEADER_BYTES);
    expect(largest).toBeLessThan(16 * MiB);
  });

  it('keeps every document of a 100,000-actor day small, where the inline day passed 16 MiB', () => {
    const actors: ActorEntry[] = Array.from({ length: 100_000 }, (_, i) => ({
      actorId: `00u${String(i).padStart(17, '0')}`,
      signIns: 3,
      withMfa: 2,
      withoutMfa: 1,
      failed: 1,
      lastSignIn: {
        at: 1_740_000_000_000 + i,
        uuid: `${String(i).padStart(8, '0')}-89ab-11ef-0123-456789abcdef`,
        published: '2025-03-03T12:34:56.789Z',
      },
    }));
    const rollup = dayOfActors('acme', actors);
    // the shape before paging: one document of ~21 MB (about 78,000 actors passed 16 MiB)
    const inline = BSON.calculateObjectSize({ _id: 'acme|2025-03-03', ...rollup });
    expect(inline).toBeGreaterThan(16 * MiB);
    const { head, pages } = storedFormOf(rollup, 'f'.repeat(16));
    expect(BSON.calculateObjectSize(head)).toBeLessThan(PAGE_HEADER_BYTES);
    let entries = 0;
    for (const page of pages) {
      expect(BSON.calculateObjectSize(page)).toBeLessThanOrEqual(
        LOG_DAY_PAGE_BYTES + PAGE_HEADER_BYTES,
      );
      entries += page.entries.length;
    }
    expect(entries).toBe(actors.length);
    expect(head.pages).toEqual({
      generation: 'f'.repeat(16),
      actors: pages.length,
      deactivations: 0,
      deletions: 0,
      linked: 0,
    });
    // ≈ 1,200 actors per page
    expect(pages.length).toBeLessThan(actors.length / 1_000);
  });

  it('splits greedily: a page closes only when the next entry would overflow it', () => {
    const items = Array.from({ length: 500 }, (_, i) => 'u'.repeat(1 + ((i * 37) % 90)));
    const pages = splitByBytes(items, 700);
    expect(pages.flat()).toEqual(items);
    const size = (page: string[]) => BSON.calculateObjectSize({ a: page }) - 4 - 1 - 3 - 4 - 1;
    for (const [n, page] of pages.entries()) {
      expect(size(page)).toBeLessThanOrEqual(700);
      const next = pages[n + 1];
      if (next) expect(size([...page, next[0]!])).toBeGreaterThan(700);
    }
  });

  it('keeps small days inline, as the heads written before paging', () => {
    const rollup = dayOfActors('acme', [largestActor(1), largestActor(2)]);
    const { head, pages } = storedFormOf(rollup, 'g');
    expect(pages).toEqual([]);
    expect(head).toEqual({ _id: 'acme|2025-03-03', ...rollup, digest: digestOf(rollup) });
  });

  it('digests what a day says, not where it is stored', () => {
    const rollup = dayOfActors('acme', [largestActor(1), largestActor(2)]);
    expect(digestOf(rollup)).toBe(digestOf(structuredClone(rollup)));
    expect(digestOf({ ...rollup, orgId: 'other' })).toBe(digestOf(rollup));
    const changed = structuredClone(rollup);
    changed.actors[1]!.failed -= 1;
    expect(digestOf(changed)).not.toBe(digestOf(rollup));
    expect(digestOf({ ...rollup, linked: { uuids: ['e1'], minAt: 1, maxAt: 1 } })).not.toBe(
      digestOf({ ...rollup, linked: { uuids: ['e2'], minAt: 1, maxAt: 1 } }),
    );
  });
});

describe('the fold over paged days', () => {
  // 500 actors over 10 days: ~150 a day, a 2 KiB budget puts ~10 actors on a page
  const facts = randomFacts(21, true, 10, 4_000, 500);
  const ASOFS = [
    '2025-01-06T10:11:12.131Z',
    '2025-01-11T00:00:00.000Z',
    '2025-01-08T00:02:00.000Z',
  ];

  it('gives the figures of every fact at once, reading a page at a time', async () => {
    const store = new InMemoryLogFacts('org-1', facts, 2048);
    await store.rollUpAll();
    const heads = [...store.rollups.keys()].map((day) => store.storedOf(day)!.head);
    // every day over several pages of actors
    expect(Math.min(...heads.map((h) => h.pages?.actors ?? 0))).toBeGreaterThan(1);
    expect(heads.reduce((n, h) => n + (h.pages?.actors ?? 0), 0)).toBeGreaterThan(80);
    for (const asOf of ASOFS) {
      store.pageReads.length = 0;
      const folded = await foldLogWindow(store, 'org-1', asOf, WINDOW);
      const want = allAtOnce(facts, asOf);
      expect(want.figures.actors.size).toBeGreaterThan(300);
      expect({ asOf, ...folded }).toEqual({ asOf, ...want });
      expect(store.pageReads.length).toBeGreaterThan(20);
      for (const bytes of store.pageReads) expect(bytes).toBeLessThanOrEqual(2048 + 200);
    }
  });

  it('starts over when a day is rewritten under it, and gives up after three tries', async () => {
    const store = new InMemoryLogFacts('org-1', facts, 2048);
    await store.rollUpAll();
    const asOf = ASOFS[1]!;
    let reads = 0;
    // the 30th page read finds its generation deleted (another instance rewrote the day)
    store.pageGone = () => ++reads === 30;
    expect(await foldLogWindow(store, 'org-1', asOf, WINDOW)).toEqual(allAtOnce(facts, asOf));
    expect(reads).toBeGreaterThan(30);
    store.pageGone = () => true;
    await expect(foldLogWindow(store, 'org-1', asOf, WINDOW)).rejects.toThrow(LogDayPagesChanged);
  });

  it('reads heads written before paging (every list inline, no digest) to the same figures', async () => {
    const store = new InMemoryLogFacts('org-1', facts, 2048);
    await store.rollUpAll();
    store.legacyHeads = true;
    for (const asOf of ASOFS) {
      expect(await foldLogWindow(store, 'org-1', asOf, WINDOW)).toEqual(allAtOnce(facts, asOf));
      expect(store.pageReads).toEqual([]);
    }
    const head = store.storedOf('2025-01-03')!.head;
    expect(head.digest).toBeUndefined();
    expect(head.actors!.length).toBeGreaterThan(100);
  });
});
