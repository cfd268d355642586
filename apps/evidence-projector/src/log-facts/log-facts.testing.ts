import type { LogFact } from './log-event.document';
import type { LogDayDocument } from './log-day.document';
import { dayOf, linkedFactsOf, rollupOf } from './log-day.rollup';
import type { LogDaySource } from './log-window.fold';
import type { FindNeighbours } from './sign-in-components';

/** Test-only: the stores' queries over an array of facts (one org), counting what they hand out. */
export class InMemoryLogFacts implements LogDaySource {
  readonly rollups = new Map<string, LogDayDocument>();
  /** Facts handed out by `dayFacts`, per call. */
  readonly reads: number[] = [];

  constructor(
    readonly orgId: string,
    readonly facts: LogFact[],
  ) {}

  readonly find: FindNeighbours = async (q) =>
    this.facts.filter(
      (f) =>
        f.actorId !== null &&
        q.actors.includes(f.actorId) &&
        f.outcome === 'SUCCESS' &&
        (f.eventType === 'user.session.start' ||
          f.eventType === 'user.authentication.auth_via_mfa') &&
        ((!!f.sessionId && q.sessions.includes(f.sessionId)) ||
          (!!f.transactionId && q.transactions.includes(f.transactionId)) ||
          q.ranges.some((r) => f.published >= r.from && f.published <= r.to)),
    );

  /** Rolls up every day that has facts (what the writer leaves once every batch is in). */
  async rollUpAll(): Promise<void> {
    for (const day of new Set(this.facts.map((f) => dayOf(f.published)))) {
      const dayFacts = this.facts.filter((f) => dayOf(f.published) === day);
      const linked = await linkedFactsOf(day, dayFacts, this.find);
      this.rollups.set(day, rollupOf(this.orgId, day, dayFacts, linked));
    }
  }

  async rollup(_orgId: string, day: string): Promise<LogDayDocument | null> {
    return structuredClone(this.rollups.get(day) ?? null);
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
