import { BSON } from 'mongodb';
import type { LogFact } from './log-event.document';
import type { LogDayDocument, LogDayPageDocument, LogDayRollup } from './log-day.document';
import { dayIdOf, LOG_DAY_PAGE_BYTES, storedFormOf } from './log-day.pages';
import { dayOf, linkedFactsOf, rollupOf } from './log-day.rollup';
import type { LogDaySource } from './log-window.fold';
import { neighbourMatch, type FindNeighbours } from './sign-in-components';

type Stored = { head: LogDayDocument; pages: Map<string, LogDayPageDocument> };

/** Test-only: the stores' queries over an array of facts (one org), counting what they hand out. */
export class InMemoryLogFacts implements LogDaySource {
  readonly rollups = new Map<string, LogDayRollup>();
  /** The org's mark: set by `rollUpAll` (rollups of every day), false before. */
  complete = false;
  /** Facts handed out by `dayFacts`, per call. */
  readonly reads: number[] = [];
  /** BSON bytes of each rollup page handed out. */
  readonly pageReads: number[] = [];
  /** Heads in the shape written before paging (every list inline, no digest). */
  legacyHeads = false;
  /** Answers a page read with "gone" when it returns true (a rewrite racing with the fold). */
  pageGone: (pageId: string) => boolean = () => false;
  /** Stored forms, built from `rollups` on first read. */
  private readonly stored = new Map<string, Stored>();

  constructor(
    readonly orgId: string,
    readonly facts: LogFact[],
    /** The page budget the stored forms are split by. */
    readonly pageBytes = LOG_DAY_PAGE_BYTES,
  ) {}

  readonly find: FindNeighbours = async (q) => this.facts.filter(neighbourMatch(q));

  /** Rolls up every day that has facts (what the writer leaves once every batch is in). */
  async rollUpAll(): Promise<void> {
    for (const day of new Set(this.facts.map((f) => dayOf(f.published)))) {
      const dayFacts = this.facts.filter((f) => dayOf(f.published) === day);
      const linked = await linkedFactsOf(day, dayFacts, this.find);
      this.rollups.set(day, rollupOf(this.orgId, day, dayFacts, linked));
    }
    this.stored.clear();
    this.complete = true;
  }

  /** The documents a day's rollup is stored as (what the repository writes). */
  storedOf(day: string): Stored | null {
    const rollup = this.rollups.get(day);
    if (!rollup) return null;
    let stored = this.stored.get(day);
    if (!stored) {
      const { head, pages } = this.legacyHeads
        ? { head: { _id: dayIdOf(this.orgId, day), ...rollup }, pages: [] }
        : storedFormOf(rollup, `g-${day}`, this.pageBytes);
      stored = { head, pages: new Map(pages.map((p) => [p._id, p])) };
      this.stored.set(day, stored);
    }
    return stored;
  }

  async rollupsComplete(): Promise<boolean> {
    return this.complete;
  }

  async factDays(_orgId: string, fromDay: string, throughDay: string): Promise<string[]> {
    const days = new Set(this.facts.map((f) => dayOf(f.published)));
    return [...days].filter((d) => d >= fromDay && d <= throughDay).sort();
  }

  async unrolledDayFacts(_orgId: string, day: string): Promise<LogFact[]> {
    const dayFacts = this.facts.filter((f) => dayOf(f.published) === day);
    const linked = dayFacts.length ? await linkedFactsOf(day, dayFacts, this.find) : [];
    const out = [...dayFacts, ...linked];
    this.reads.push(out.length);
    return structuredClone(out);
  }

  async *rollupsBetween(
    _orgId: string,
    fromDay: string,
    throughDay: string,
  ): AsyncGenerator<LogDayDocument> {
    for (const day of [...this.rollups.keys()].sort()) {
      const head = day >= fromDay && day <= throughDay ? this.storedOf(day)?.head : undefined;
      if (head) yield structuredClone(head);
    }
  }

  async rollupPage(_orgId: string, pageId: string): Promise<LogDayPageDocument | null> {
    const day = pageId.split('|')[1] ?? '';
    const page = this.storedOf(day)?.pages.get(pageId);
    if (!page || this.pageGone(pageId)) return null;
    this.pageReads.push(BSON.calculateObjectSize(page));
    return structuredClone(page);
  }

  async dayFacts(_orgId: string, day: string, linkedUuids: string[]): Promise<LogFact[]> {
    const out = this.facts.filter(
      (f) => dayOf(f.published) === day || linkedUuids.includes(f.uuid),
    );
    this.reads.push(out.length);
    return structuredClone(out);
  }
}

/** Deterministic PRNG (mulberry32), so a failing case can be replayed from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY = 86_400_000;
const MIN = 60_000;
const START = Date.parse('2025-01-01T00:00:00.000Z');

/**
 * `days` days (from 2025-01-01) of facts for `actorCount` actors (12), dense
 * enough that MFA components cross midnight, share sessions and transactions
 * across days, and chain (a verification between two sign-ins of the same
 * actor).
 */
export function randomFacts(
  seed: number,
  sharedKeys = true,
  days = 100,
  count = 2500,
  actorCount = 12,
): LogFact[] {
  const r = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(r() * items.length)]!;
  const actors = Array.from({ length: actorCount }, (_, i) => `u${i}`);
  const sessions = Array.from({ length: 40 }, (_, i) => `s${i}`);
  const transactions = Array.from({ length: 40 }, (_, i) => `t${i}`);
  const facts: LogFact[] = [];
  let n = 0;
  const add = (ms: number, eventType: string, o: Partial<LogFact> = {}) =>
    facts.push({
      uuid: `e${String(++n).padStart(6, '0')}`,
      published: new Date(Math.round(ms)).toISOString(),
      eventType,
      actorId: pick(actors),
      outcome: 'SUCCESS',
      targetIds: [],
      // shared: a few ids reused by everyone across the 100 days (adversarial); else one per fact
      sessionId: r() < 0.5 ? (sharedKeys ? pick([...sessions, 'unknown']) : `s-${n}`) : null,
      transactionId: r() < 0.3 ? (sharedKeys ? pick(transactions) : `t-${n}`) : null,
      ...o,
    });
  for (let i = 0; i < count; i++) {
    // Near midnight a quarter of the time, so components cross days.
    const day = Math.floor(r() * days);
    const ms = START + day * DAY + (r() < 0.25 ? DAY - 10 * MIN + r() * 20 * MIN : r() * DAY);
    const kind = r();
    if (kind < 0.4) {
      add(ms, 'user.session.start');
      const actorId = facts[facts.length - 1]!.actorId!;
      // its verification, a few minutes either side, sometimes in the same session
      if (r() < 0.7)
        add(ms + (r() * 9 - 3) * MIN, 'user.authentication.auth_via_mfa', {
          actorId,
          sessionId: r() < 0.3 ? facts[facts.length - 1]!.sessionId : null,
        });
    } else if (kind < 0.55) add(ms, 'user.session.start', { outcome: 'FAILURE' });
    else if (kind < 0.75) add(ms, 'user.authentication.auth_via_mfa');
    else if (kind < 0.8) add(ms, 'user.session.start', { actorId: null });
    else if (kind < 0.9)
      add(ms, 'user.lifecycle.deactivate', {
        actorId: 'admin',
        targetIds: [pick(actors), pick(actors)],
        outcome: r() < 0.2 ? null : r() < 0.9 ? 'SUCCESS' : 'FAILURE',
      });
    else if (kind < 0.93)
      add(ms, 'user.lifecycle.delete.completed', {
        actorId: pick(['admin', 'admin-2']),
        targetIds: [pick(actors)],
        outcome: r() < 0.2 ? null : r() < 0.9 ? 'SUCCESS' : 'FAILURE',
      });
    else add(ms, pick(['user.lifecycle.create', 'group.user_membership.add']));
  }
  // two facts at the same instant
  add(START + Math.floor(days / 2) * DAY, 'user.session.start', { actorId: 'u1' });
  add(START + Math.floor(days / 2) * DAY, 'user.session.start', { actorId: 'u1' });
  return facts;
}
