import { BSON } from 'mongodb';
import { createHash, Hash } from 'node:crypto';
import {
  LOG_DAY_LISTS,
  LogDayDocument,
  LogDayList,
  LogDayLists,
  LogDayPageDocument,
  LogDayRollup,
} from './log-day.document';

/**
 * How a day's rollup is stored so that no document grows with the org
 * (pure; the repository writes what `storedFormOf` returns).
 *
 * Size bounds, by construction:
 * - The lists (per actor, per deactivated user, per linked fact) are split
 *   greedily into pages of at most `maxBytes` (LOG_DAY_PAGE_BYTES, 256 KiB)
 *   of BSON-encoded array elements; a page closes only when the next entry
 *   would not fit. An entry larger than the budget alone gets a page to
 *   itself: an entry's strings (actor id, uuid, published; target id, uuid,
 *   published; a uuid) come from one System Log event, which reached the
 *   projector in one record of at most MAX_MESSAGE_BYTES (512 KiB), so no
 *   entry is larger than that plus its 145 bytes of field names, counters
 *   (doubles past int32) and lengths. A page's other fields are bounded by
 *   the org id (≤ 128 characters): 433 bytes at most.
 *   So a page is ≤ 256 KiB + 433 bytes, and never more than ~513 KiB.
 * - When every list together fits the budget the head keeps them inline
 *   (the shape documents had before paging: ≤ 256 KiB + its fields), so a
 *   small org reads one document per day as before; otherwise the head holds
 *   only fixed-size fields and three page counts (< 1 KiB).
 * An actor entry with Okta's 20-character ids weighs 215–231 bytes, so a page
 * holds ~1,130 actors: a day of 1,000,000 actors is ~880 pages of ≤ 257 KiB.
 * The number of pages grows with the day; the size of each document does not.
 */
export const LOG_DAY_PAGE_BYTES = 256 * 1024;

/** A page named by a head is gone: the day was rewritten while it was read. Read it again. */
export class LogDayPagesChanged extends Error {
  override readonly name = 'LogDayPagesChanged';
}

export const dayIdOf = (orgId: string, day: string): string => `${orgId}|${day}`;

export const pageIdOf = (
  orgId: string,
  day: string,
  generation: string,
  list: LogDayList,
  page: number,
): string => `${orgId}|${day}|${generation}|${list}|${page}`;

/** BSON bytes of `value` as element `index` of an array (type byte, key and NUL, value). */
export function elementBytes(value: unknown, index: number): number {
  const key = String(index).length + 1;
  if (typeof value === 'string') return 1 + key + 4 + Buffer.byteLength(value, 'utf8') + 1;
  if (value !== null && typeof value === 'object') return 1 + key + BSON.calculateObjectSize(value);
  // A one-field document is 4 (length) + the element + 1 (terminator).
  return BSON.calculateObjectSize({ [String(index)]: value }) - 5;
}

/** Splits a list greedily into pages of ≤ `maxBytes` of encoded elements (a larger one alone). */
export function splitByBytes<T>(entries: readonly T[], maxBytes: number): T[][] {
  const pages: T[][] = [];
  let page: T[] | null = null;
  let bytes = 0;
  for (const entry of entries) {
    const size = page ? elementBytes(entry, page.length) : 0;
    if (!page || bytes + size > maxBytes) {
      page = [];
      pages.push(page);
      bytes = elementBytes(entry, 0);
    } else {
      bytes += size;
    }
    page.push(entry);
  }
  return pages;
}

const listsOf = (rollup: LogDayRollup): LogDayLists => ({
  actors: rollup.actors,
  deactivations: rollup.deactivations,
  deletions: rollup.deletions,
  linked: rollup.linked?.uuids ?? [],
});

/** Whether every list's elements, as they would sit inline, fit `maxBytes` (stops past it). */
function fitsInline(lists: LogDayLists, maxBytes: number): boolean {
  let bytes = 0;
  for (const list of LOG_DAY_LISTS) {
    const entries = lists[list] as unknown[];
    for (let i = 0; i < entries.length && bytes <= maxBytes; i++)
      bytes += elementBytes(entries[i], i);
  }
  return bytes <= maxBytes;
}

/** Feeds a list to a hash a thousand entries at a time (no second copy of a large day). */
function hashList(hash: Hash, entries: readonly unknown[]): void {
  hash.update(`|${entries.length}`);
  for (let i = 0; i < entries.length; i += 1000)
    hash.update(JSON.stringify(entries.slice(i, i + 1000)));
}

/**
 * SHA-256 of what a day's rollup says (not where it is stored): equal for the
 * same facts, whatever the org's other days or the time of writing.
 */
export function digestOf(rollup: LogDayRollup): string {
  const { minAt, maxAt, maxPublished, totals, actors, deactivations, deletions, linked } = rollup;
  const hash = createHash('sha256');
  const range = linked && { minAt: linked.minAt, maxAt: linked.maxAt };
  hash.update(JSON.stringify({ minAt, maxAt, maxPublished, totals, linked: range }));
  hashList(hash, actors);
  hashList(hash, deactivations);
  hashList(hash, deletions);
  hashList(hash, linked?.uuids ?? []);
  return hash.digest('hex');
}

/**
 * The documents that store `rollup`: its head, and its pages under
 * `generation` (none when the lists fit inline).
 */
export function storedFormOf(
  rollup: LogDayRollup,
  generation: string,
  maxBytes = LOG_DAY_PAGE_BYTES,
): { head: LogDayDocument; pages: LogDayPageDocument[] } {
  const { orgId, day, minAt, maxAt, maxPublished, totals, linked } = rollup;
  const common = {
    _id: dayIdOf(orgId, day),
    orgId,
    day,
    minAt,
    maxAt,
    maxPublished,
    totals,
  };
  const lists = listsOf(rollup);
  const digest = digestOf(rollup);
  if (fitsInline(lists, maxBytes)) {
    const { actors, deactivations, deletions } = rollup;
    return { head: { ...common, actors, deactivations, deletions, linked, digest }, pages: [] };
  }
  const pages: LogDayPageDocument[] = [];
  const counts = { actors: 0, deactivations: 0, deletions: 0, linked: 0 };
  for (const list of LOG_DAY_LISTS) {
    const split = splitByBytes(lists[list] as unknown[], maxBytes);
    counts[list] = split.length;
    split.forEach((entries, page) =>
      pages.push({
        _id: pageIdOf(orgId, day, generation, list, page),
        orgId,
        day,
        generation,
        list,
        page,
        entries: entries as LogDayLists[typeof list],
      }),
    );
  }
  const head: LogDayDocument = {
    ...common,
    linked: linked ? { minAt: linked.minAt, maxAt: linked.maxAt } : null,
    pages: { generation, ...counts },
    digest,
  };
  return { head, pages };
}

/** The page ids a head names (none for an inline head). */
export function pageIdsOf(head: LogDayDocument): string[] {
  const ref = head.pages;
  if (!ref) return [];
  return LOG_DAY_LISTS.flatMap((list) =>
    Array.from({ length: ref[list] ?? 0 }, (_, n) =>
      pageIdOf(head.orgId, head.day, ref.generation, list, n),
    ),
  );
}

export type ReadLogDayPage = (pageId: string) => Promise<LogDayPageDocument | null>;

/**
 * One list of a stored rollup, a page at a time: the inline list as one page,
 * or the head's pages in order, each read when the one before is consumed.
 * Throws LogDayPagesChanged when a page is missing (its generation was
 * replaced and deleted after the head was read).
 */
export async function* entriesOf<L extends LogDayList>(
  head: LogDayDocument,
  list: L,
  readPage: ReadLogDayPage,
): AsyncGenerator<LogDayLists[L]> {
  const ref = head.pages;
  if (!ref) {
    const inline =
      list === 'actors'
        ? head.actors
        : list === 'deactivations'
          ? head.deactivations
          : list === 'deletions'
            ? head.deletions
            : head.linked?.uuids;
    yield (inline ?? []) as LogDayLists[L];
    return;
  }
  for (let n = 0; n < (ref[list] ?? 0); n++) {
    const id = pageIdOf(head.orgId, head.day, ref.generation, list, n);
    const page = await readPage(id);
    if (!page || page.list !== list || page.generation !== ref.generation)
      throw new LogDayPagesChanged(`log day page ${id} is gone: the day was rewritten`);
    yield page.entries as LogDayLists[L];
  }
}

/** A stored rollup, whole (tests and tools: it holds every page of the day at once). */
export async function rollupOfStored(
  head: LogDayDocument,
  readPage: ReadLogDayPage,
): Promise<LogDayRollup> {
  const all = async <L extends LogDayList>(list: L) => {
    const out: unknown[] = [];
    for await (const page of entriesOf(head, list, readPage)) for (const e of page) out.push(e);
    return out as LogDayLists[L];
  };
  const { orgId, day, minAt, maxAt, maxPublished, totals, linked } = head;
  const uuids = await all('linked');
  return {
    orgId,
    day,
    minAt,
    maxAt,
    maxPublished,
    totals,
    actors: await all('actors'),
    deactivations: await all('deactivations'),
    deletions: await all('deletions'),
    linked: linked ? { uuids, minAt: linked.minAt, maxAt: linked.maxAt } : null,
  };
}
