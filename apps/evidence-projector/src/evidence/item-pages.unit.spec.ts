import { BSON } from 'mongodb';
import { bsonElementBytes, pagesCovering, splitIntoPages } from './item-pages';

/** An item whose encoded size grows with `pad`. */
const item = (id: number, pad = 0) => ({ id: `u${id}`, pad: 'x'.repeat(pad) });

describe('splitIntoPages', () => {
  it('measures an item exactly as BSON encodes it inside an array', () => {
    const items = [item(1, 10), item(2, 300), item(3)];
    const encoded = BSON.calculateObjectSize({ items });
    // document: int32 size + (type, "items\0", array) + NUL; array: int32 size + elements + NUL
    const arrayBytes = encoded - 4 - 1 - 6 - 1;
    expect(items.reduce((sum, it, i) => sum + bsonElementBytes(it, i), 0)).toBe(arrayBytes - 5);
  });

  it('closes a page before the encoded bytes would pass the bound, not only by count', () => {
    const items = Array.from({ length: 50 }, (_, i) => item(i, i % 7 === 0 ? 900 : 100));
    const maxBytes = 2000;
    const pages = splitIntoPages(items, { maxBytes, maxItems: 1000 });
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages) {
      const bytes = page.items.reduce((sum: number, it, i) => sum + bsonElementBytes(it, i), 0);
      expect(bytes).toBeLessThanOrEqual(maxBytes);
    }
    // greedy: a page and the next item together would not have fitted
    for (const [n, page] of pages.slice(0, -1).entries()) {
      const next = pages[n + 1]!.items[0];
      const withNext = [...page.items, next].reduce(
        (sum: number, it, i) => sum + bsonElementBytes(it, i),
        0,
      );
      expect(withNext).toBeGreaterThan(maxBytes);
    }
  });

  it('keeps every item once, in order, and records where each page starts', () => {
    const items = Array.from({ length: 2500 }, (_, i) => item(i, i % 13));
    const pages = splitIntoPages(items, { maxBytes: 1024 * 1024, maxItems: 1000 });
    expect(pages.map((p) => p.start)).toEqual([0, 1000, 2000]);
    expect(pages.flatMap((p) => p.items)).toEqual(items);
  });

  it('gives an item larger than the bound a page of its own', () => {
    const items = [item(1), item(2, 5000), item(3)];
    const pages = splitIntoPages(items, { maxBytes: 1000, maxItems: 1000 });
    expect(pages.map((p) => p.items.length)).toEqual([1, 1, 1]);
  });

  it('returns no page for an empty list', () => {
    expect(splitIntoPages([])).toEqual([]);
  });

  it('holds ≤ 256 KiB of items per page by default, e.g. 20k access-review-sized items', () => {
    const items = Array.from({ length: 20_000 }, (_, i) => item(i, 900));
    const pages = splitIntoPages(items);
    for (const page of pages)
      expect(BSON.calculateObjectSize({ items: page.items })).toBeLessThanOrEqual(256 * 1024 + 16);
    expect(pages.length).toBeLessThanOrEqual(Math.ceil((20_000 * 940 * 2) / (256 * 1024)) + 1);
  });
});

describe('pagesCovering', () => {
  const list = { total: 25, pageStarts: [0, 10, 12, 20] };

  it.each([
    [0, 5, [0]],
    [0, 10, [0]],
    [5, 10, [0, 1, 2]],
    [10, 2, [1]],
    [11, 100, [1, 2, 3]],
    [24, 1, [3]],
    [25, 10, []],
    [100, 10, []],
  ])('offset %i limit %i reads pages %j', (offset, limit, pages) => {
    expect(pagesCovering(list, offset, limit)).toEqual(pages);
  });

  it('reads nothing for an empty list', () => {
    expect(pagesCovering({ total: 0, pageStarts: [] }, 0, 10)).toEqual([]);
  });
});
