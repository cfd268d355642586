import { oktaErrors } from './errors';
import { upperBound } from './model';

/** Parses `limit`: absent → default, above the cap → the cap, anything not a positive integer → 400. */
export function parseLimit(raw: string | null, fallback: number, cap: number): number {
  if (raw === null) return Math.min(fallback, cap);
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1) {
    throw oktaErrors.badQuery(`limit: "${raw}" is not a positive integer`);
  }
  return Math.min(Number(raw), cap);
}

const ID_CURSOR = /^[A-Za-z0-9]{3,64}$/;

/** Opaque `after` of keyset-paged lists: base64url of the last id served. */
export function encodeIdCursor(id: string): string {
  return Buffer.from(`k1:${id}`).toString('base64url');
}

export function decodeIdCursor(raw: string | null): string | undefined {
  if (raw === null) return undefined;
  const text = /^[A-Za-z0-9_-]+$/.test(raw) ? Buffer.from(raw, 'base64url').toString('utf8') : '';
  const id = text.startsWith('k1:') ? text.slice(3) : '';
  if (!ID_CURSOR.test(id)) throw oktaErrors.badQuery(`after: "${raw}" is not a valid cursor`);
  return id;
}

export interface Page<T> {
  items: T[];
  /** Present when more items match after this page. */
  nextAfter: string | null;
}

/**
 * Keyset paging over a list sorted by key: items after `afterKey` that pass
 * the predicate. A cursor stays valid however the list changes, because it
 * names a position in the key order, not an index.
 */
export function pageSorted<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  afterKey: string | undefined,
  limit: number,
  predicate: (item: T) => boolean = () => true,
): Page<T> {
  const start = afterKey === undefined ? 0 : upperBound(items, afterKey, keyOf);
  const page: T[] = [];
  for (let i = start; i < items.length; i++) {
    const item = items[i] as T;
    if (!predicate(item)) continue;
    if (page.length === limit) {
      const last = page[page.length - 1] as T;
      return { items: page, nextAfter: encodeIdCursor(keyOf(last)) };
    }
    page.push(item);
  }
  return { items: page, nextAfter: null };
}

/** Builds an absolute URL with `%20`-encoded parameters, the way Okta writes its links. */
export function buildUrl(
  base: string,
  path: string,
  params: ReadonlyArray<readonly [string, string]>,
): string {
  const query = params
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join('&');
  return `${base}${path}${query ? `?${query}` : ''}`;
}

/** Query parameters to carry into a next link, with `after` and `limit` replaced. */
export function nextParams(
  query: URLSearchParams,
  keep: readonly string[],
  after: string,
  limit: number,
): Array<[string, string]> {
  const params: Array<[string, string]> = [];
  for (const key of keep) {
    const value = query.get(key);
    if (value !== null) params.push([key, value]);
  }
  params.push(['after', after], ['limit', String(limit)]);
  return params;
}

export type LinkHeaderStyle = 'separate' | 'joined' | 'mixed';

/**
 * Link header value(s): real Okta sends one `Link` header per relation; some
 * proxies fold them into one comma-joined line. Clients must read both.
 */
export function linkHeader(self: string, next: string | null, joined: boolean): string | string[] {
  const links = [`<${self}>; rel="self"`];
  if (next) links.push(`<${next}>; rel="next"`);
  return joined ? links.join(', ') : links;
}
