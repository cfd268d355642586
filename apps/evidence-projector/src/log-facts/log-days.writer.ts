import { Inject, Injectable, Optional } from '@nestjs/common';
import { isDeepStrictEqual } from 'node:util';
import type { LogEventDocument } from './log-event.document';
import type { LogDayRollup } from './log-day.document';
import { dayOf, linkedFactsOf, nextDay, rollupOf } from './log-day.rollup';
import { LogDaysRepository } from './log-days.repository';
import { LogDirtyDaysRepository } from './log-dirty-days.repository';
import { LogEventsRepository } from './log-events.repository';
import { timedFacts } from './log-figures';
import { LogRollupMarksRepository } from './log-rollup-marks.repository';
import { markOf, rollupsCurrent } from './log-rollups.mark';
import { SIGN_IN_EVENT } from './log-rules';
import { componentsOf, FindNeighbours, neighbourMatch } from './sign-in-components';

/** A day rebuilt while live writes keep changing it is retried this many times. */
const REBUILD_TRIES = 5;

/**
 * Orgs with at most this many stored facts are rolled up from one read of all
 * of them (see `rollUpDirty`); about 10 MB of facts in memory at most.
 */
export const ROLLUP_FACTS_IN_MEMORY = 30_000;
/** Overrides ROLLUP_FACTS_IN_MEMORY (tests: 0 forces the per-day queries). */
export const ROLLUP_FACTS_LIMIT = Symbol('ROLLUP_FACTS_LIMIT');

/**
 * Keeps `okta_log_days` (and `okta_log_day_pages`) up to date with
 * `okta_log_events`: after facts are written, rewrites the rollup of every
 * day whose rollup they change — their own days, and the days of the sign-ins
 * in the MFA components they joined (a verification at 00:01 changes
 * yesterday's 23:58 sign-in; one in a long session changes the day the
 * session started). Each day is recomputed from its stored facts, so writing
 * the same facts again gives the same rollups (and writes nothing).
 *
 * Also keeps the org's mark (`okta_log_rollup_marks`): an org whose first
 * facts it rolls up gets a complete mark; an org with facts from before
 * (written without rollups, or under another recipe) is completed by the
 * backfill (`rebuildDay` for each of its days, then `markComplete`).
 */
@Injectable()
export class LogDaysWriter {
  /** Orgs whose mark is known to be complete under the current recipe. */
  private readonly marked = new Set<string>();
  /** Orgs known to have facts this writer did not roll up (the backfill marks them). */
  private readonly unmarked = new Set<string>();

  /** Orgs whose first facts were noted: complete once their dirty days are rolled up. */
  private readonly firstNoted = new Set<string>();

  constructor(
    private readonly events: LogEventsRepository,
    private readonly days: LogDaysRepository,
    private readonly marks: LogRollupMarksRepository,
    private readonly dirty: LogDirtyDaysRepository,
    @Optional()
    @Inject(ROLLUP_FACTS_LIMIT)
    private readonly factsInMemory: number = ROLLUP_FACTS_IN_MEMORY,
  ) {}

  /** Writes the rollups `facts` (already stored) touch, at once. */
  async afterWrite(orgId: string, facts: LogEventDocument[]): Promise<void> {
    await this.noteWritten(orgId, facts);
    await this.rollUpDirty(orgId);
  }

  /**
   * Notes the days `facts` (already stored) fall on as dirty: one cheap insert
   * per batch. Rolling them up per batch cost a dozen collection scans per day
   * touched on FerretDB (a 20,000-event backfill took over two minutes to
   * project); `rollUpDirty` does it once per poll, or before evidence reads.
   */
  async noteWritten(orgId: string, facts: LogEventDocument[]): Promise<void> {
    if (facts.length === 0) return;
    if (await this.firstFactsOf(orgId, facts)) this.firstNoted.add(orgId);
    const days = [...new Set(facts.map((f) => dayOf(f.published)))].sort();
    await this.dirty.note(orgId, days, facts[0]!._id);
  }

  /**
   * Rewrites the rollup of every dirty day of the org, and of the days of the
   * sign-ins in the MFA components their facts belong to (a verification at
   * 00:01 changes yesterday's 23:58 sign-in), then clears exactly the notes it
   * read. One day of facts (and the components they belong to) in memory at a
   * time.
   *
   * A dirty day is read and its components found once: the components of
   * every matchable fact of the day name the days touched, and contain the
   * components of the day's sign-ins (a component is closed under the links),
   * so the day's own rollup is matched among them in memory. On FerretDB every
   * query scans the collection, so this halves the queries of a backfill (one
   * read of the day and one round of neighbour queries per day, not two).
   */
  async rollUpDirty(orgId: string): Promise<void> {
    const notes = await this.dirty.notesOf(orgId);
    if (notes.length === 0) return;
    // An org with few facts: one read of all of them answers every query below from memory
    // (on FerretDB each query scans every org's facts: a first poll of 30 days made ~90).
    const all = await this.events.allOf(orgId, this.factsInMemory);
    const find: FindNeighbours = all
      ? async (q) => all.filter(neighbourMatch(q))
      : (q) => this.events.neighbours(orgId, q);
    const ofDay = (day: string) =>
      all
        ? Promise.resolve(all.filter((f) => f.published >= day && f.published < nextDay(day)))
        : this.events.ofDay(orgId, day, nextDay(day));
    const dirtyDays = [...new Set(notes.map((n) => n.day))].sort();
    const touched = new Set<string>();
    for (const day of dirtyDays) {
      const dayFacts = await ofDay(day);
      const local = timedFacts(dayFacts, Infinity);
      const members = await componentsOf(local, local, find);
      for (const f of members.values())
        if (f.eventType === SIGN_IN_EVENT) touched.add(dayOf(f.published));
      if (dayFacts.length === 0) continue;
      // Every fact a store query could link to the day's sign-ins is among the members.
      const amongMembers: FindNeighbours = async () => [...members.values()];
      const linked = await linkedFactsOf(day, dayFacts, amongMembers);
      await this.days.put(rollupOf(orgId, day, dayFacts, linked));
    }
    const rolled = new Set(dirtyDays);
    for (const day of [...touched].sort())
      if (!rolled.has(day)) {
        const dayFacts = await ofDay(day);
        if (dayFacts.length > 0)
          await this.days.put(
            rollupOf(orgId, day, dayFacts, await linkedFactsOf(day, dayFacts, find)),
          );
      }
    await this.dirty.clear(notes.map((n) => n._id));
    // Every stored fact of the org came after the first note, so every day of it is rolled up.
    if (this.firstNoted.delete(orgId)) await this.markComplete(orgId);
  }

  /** Whether the org's rollups may be read in place of its facts. */
  async rollupsCurrent(orgId: string): Promise<boolean> {
    if (this.marked.has(orgId)) return true;
    const current = rollupsCurrent(await this.marks.get(orgId));
    if (current) this.marked.add(orgId);
    return current;
  }

  /**
   * The backfill's step: recomputes one day from its stored facts exactly as
   * `afterWrite` does, then computes it again and rewrites it until the two
   * agree, so a live write racing with it (here or in another instance) can
   * never be left overwritten by an older rollup.
   */
  async rebuildDay(orgId: string, day: string): Promise<void> {
    const find: FindNeighbours = (q) => this.events.neighbours(orgId, q);
    let doc = await this.rollupOfDay(orgId, day, find);
    for (let tries = 0; doc !== null && tries < REBUILD_TRIES; tries += 1) {
      await this.days.put(doc);
      const again = await this.rollupOfDay(orgId, day, find);
      if (isDeepStrictEqual(again, doc)) return;
      doc = again;
    }
    if (doc !== null) throw new Error(`rollup of ${orgId} ${day} kept changing while rebuilt`);
  }

  /** Records a backfill's progress: its days through `day` are rebuilt. */
  async markRebuiltThrough(orgId: string, day: string): Promise<void> {
    await this.marks.put(markOf(orgId, { complete: false, rebuiltThrough: day }));
  }

  /** Records that every stored fact of the org is rolled up under the current recipe. */
  async markComplete(orgId: string): Promise<void> {
    await this.marks.put(markOf(orgId, { complete: true }));
    this.marked.add(orgId);
    this.unmarked.delete(orgId);
  }

  /**
   * Whether `facts` are all the org has stored and its mark is not complete
   * yet (an org's first batches). Counted once per org and process: an org
   * with other facts stays unmarked until the backfill marks it.
   */
  private async firstFactsOf(orgId: string, facts: LogEventDocument[]): Promise<boolean> {
    if (this.unmarked.has(orgId) || (await this.rollupsCurrent(orgId))) return false;
    const first = (await this.events.countOf(orgId)) === new Set(facts.map((f) => f._id)).size;
    if (!first) this.unmarked.add(orgId);
    return first;
  }

  private async rollupOfDay(
    orgId: string,
    day: string,
    find: FindNeighbours,
  ): Promise<LogDayRollup | null> {
    const dayFacts = await this.events.ofDay(orgId, day, nextDay(day));
    if (dayFacts.length === 0) return null;
    const linked = await linkedFactsOf(day, dayFacts, find);
    return rollupOf(orgId, day, dayFacts, linked);
  }
}
