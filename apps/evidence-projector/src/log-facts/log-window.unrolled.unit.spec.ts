import type { LogFact } from './log-event.document';
import { figuresOfLogs, timedFacts } from './log-figures';
import { InMemoryLogFacts, randomFacts } from './log-facts.testing';
import { foldLogWindow } from './log-window.fold';

/**
 * An org whose rollups are not complete (facts written before rollups
 * existed) is folded from its raw facts, a day at a time, to the same figures
 * as every fact at once; a rollup it may have is not read.
 */
const DAY = 86_400_000;
const WINDOW = { lookbackDays: 91, signInDays: 30 };

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

const ASOFS = ['2025-04-05T13:37:11.123Z', '2025-03-20T00:03:00.000Z', '2025-04-11T00:00:00.000Z'];

it('folds an org without complete rollups from its facts, a day at a time', async () => {
  const facts = randomFacts(4);
  const store = new InMemoryLogFacts('org-1', facts);
  for (const asOf of ASOFS) {
    store.reads.length = 0;
    const folded = await foldLogWindow(store, 'org-1', asOf, WINDOW);
    expect({ asOf, ...folded }).toEqual({ asOf, ...allAtOnce(facts, asOf) });
    expect(folded.figures.totals.successful).toBeGreaterThan(0);
    // every day of (asOf − 91 days, asOf] with facts, each one day (and its few linked facts)
    const firstDay = new Date(Date.parse(asOf) - WINDOW.lookbackDays * DAY)
      .toISOString()
      .slice(0, 10);
    const days = new Set(facts.map((f) => f.published.slice(0, 10)));
    const window = [...days].filter((d) => d >= firstDay && d <= asOf.slice(0, 10));
    expect(window.length).toBeGreaterThan(60);
    expect(store.reads.length).toBe(window.length);
    const perDay = Math.max(...store.reads);
    expect(perDay).toBeLessThan(facts.length / 20);
  }
});

it('reads no rollup of an org whose rollups are not complete', async () => {
  const facts = randomFacts(5, false);
  const store = new InMemoryLogFacts('org-1', facts);
  await store.rollUpAll();
  // rollups an older recipe left: wrong, and not to be read
  for (const doc of store.rollups.values()) doc.totals.successful += 1000;
  store.complete = false;
  for (const asOf of ASOFS)
    expect(await foldLogWindow(store, 'org-1', asOf, WINDOW)).toEqual(allAtOnce(facts, asOf));
});
