import { BSON } from 'mongodb';

/**
 * Item lists are stored apart from the evidence they belong to, in pages (one
 * document per page) bounded by encoded size, so no document grows with the org.
 *
 * Size bounds, by construction (see also evidence.store.ts):
 * - An item page holds at most PAGE_MAX_ITEMS items and at most
 *   PAGE_MAX_ITEM_BYTES (256 KiB) of BSON-encoded array elements; its other
 *   fields (ids, list name, numbers) are bounded by the org id's and sync id's
 *   length, a few hundred bytes. So a page is ≤ 256 KiB + ~1 KiB, whatever the
 *   org's size. The one exception is an item that alone exceeds the bound (a
 *   user in ~10,000 groups): it gets a page to itself, of its own size plus the
 *   same header. Items are per user, group or app, so none grows with the
 *   number of users.
 * - The per-control documents (`control_evidence`, `evidence_snapshots`) keep
 *   the summary (fixed-size figures; its maps are keyed by status, role type,
 *   factor type or dataset, never by user) and, per list, `total` and
 *   `pageStarts` — one number (≤ 14 bytes of BSON) per page. A page closes
 *   only when it holds PAGE_MAX_ITEMS items or the next item would overflow
 *   PAGE_MAX_ITEM_BYTES, so pages ≤ items/1000 + 2 × listBytes/256 KiB + 1:
 *   ~2,000 pages (≈ 28 KiB of pageStarts) for 250,000 users with 10 groups and
 *   10 apps each (≈ 230 MiB of access-review items). Even if every item had a
 *   page to itself, pages ≤ items ≤ 2 × users + groups + apps, i.e. ≈ 7 MiB for
 *   250,000 users: still under 16 MiB (that would take 128 KiB items).
 *
 * Why 256 KiB and not 1 MiB: FerretDB 1.24 (SQLite) inserted 1 MiB documents
 * at ~0.5 s per MiB and 128–256 KiB documents at ~0.17 s per MiB (measured,
 * shared CI box); a read of `limit` ≤ 1000 items touches a handful of pages.
 */
export const PAGE_MAX_ITEM_BYTES = 256 * 1024;
export const PAGE_MAX_ITEMS = 1000;

/** Where one list's items are: `pageStarts[n]` is the offset of page n's first item. */
export type ItemListIndex = { total: number; pageStarts: number[] };

/**
 * The item pages a per-control document points at. `generation` names one
 * complete write of them: pages are only ever inserted under a new
 * generation, never rewritten, so a reader that follows the document reads
 * a consistent set.
 */
export type ItemPagesRef = {
  generation: string;
  lists: Record<string, ItemListIndex>;
  /**
   * Where the current evidence's pages are: `shared` (the one `evidence_items`
   * collection, generation in the documents). Absent in documents written
   * when each generation had a collection of its own (read, then dropped when
   * displaced). Snapshots' pages were always in `evidence_items`.
   */
  store?: 'shared';
};

/** A page as the splitter returns it: the list offset of its first item, and its items. */
export type ItemPage<T> = { start: number; items: T[] };

/** BSON bytes of `item` as element `index` of an array: type byte, key ("12") + NUL, value. */
export function bsonElementBytes(item: unknown, index: number): number {
  const key = String(index).length + 1;
  if (item !== null && typeof item === 'object') return 1 + key + BSON.calculateObjectSize(item);
  // Scalars are not expected in item lists; { v: item } is the value plus 8 bytes.
  return 1 + key + BSON.calculateObjectSize({ v: item }) - 8;
}

/**
 * Splits a list into consecutive pages, each ≤ `maxItems` items and ≤
 * `maxBytes` of encoded elements (an item larger than `maxBytes` alone on its
 * page). Greedy: a page closes only when the next item would not fit, so a
 * page and the next together always exceed one of the bounds.
 */
export function splitIntoPages<T>(
  items: readonly T[],
  limits: { maxBytes: number; maxItems: number } = {
    maxBytes: PAGE_MAX_ITEM_BYTES,
    maxItems: PAGE_MAX_ITEMS,
  },
  sizeOf: (item: T, indexInPage: number) => number = bsonElementBytes,
): ItemPage<T>[] {
  const pages: ItemPage<T>[] = [];
  let page: ItemPage<T> | null = null;
  let bytes = 0;
  items.forEach((item, offset) => {
    const size = page ? sizeOf(item, page.items.length) : 0;
    if (!page || page.items.length >= limits.maxItems || bytes + size > limits.maxBytes) {
      page = { start: offset, items: [] };
      pages.push(page);
      bytes = sizeOf(item, 0);
    } else {
      bytes += size;
    }
    page.items.push(item);
  });
  return pages;
}

/** The numbers of the pages that hold items [offset, offset + limit) of a list. */
export function pagesCovering(list: ItemListIndex, offset: number, limit: number): number[] {
  const end = Math.min(offset + limit, list.total);
  const pages: number[] = [];
  for (let n = 0; n < list.pageStarts.length; n++) {
    const start = list.pageStarts[n] ?? 0;
    const next = list.pageStarts[n + 1] ?? list.total;
    if (start < end && next > offset) pages.push(n);
  }
  return pages;
}
