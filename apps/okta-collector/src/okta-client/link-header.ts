/**
 * RFC 8288 `Link` header parsing. Okta sends one `Link` header per relation
 * (`<…>; rel="self"`, `<…>; rel="next"`), but proxies and other HTTP stacks may
 * join them into one comma-separated line; both forms, quoted or bare
 * parameter values and multi-valued `rel="next last"` are handled. Commas or
 * semicolons inside `<…>` or a quoted string do not split anything.
 */

export interface LinkEntry {
  /** The target exactly as written between `<` and `>`. */
  url: string;
  /** Lower-cased relation types (`rel="next last"` → ['next', 'last']). */
  rel: string[];
  /** All parameters, names lower-cased; the first occurrence of a name wins. */
  params: Record<string, string>;
}

export function parseLinkHeader(
  header: string | readonly string[] | undefined | null,
): LinkEntry[] {
  if (header === undefined || header === null) return [];
  const values = typeof header === 'string' ? [header] : header;
  const out: LinkEntry[] = [];
  for (const v of values) parseOne(String(v), out);
  return out;
}

/** The `rel="next"` target, or null. */
export function findNextLink(header: string | readonly string[] | undefined | null): string | null {
  const next = parseLinkHeader(header).find((e) => e.rel.includes('next'));
  return next ? next.url : null;
}

const WS = /[ \t\r\n]/;

function parseOne(s: string, out: LinkEntry[]): void {
  let i = 0;
  const n = s.length;
  const skipWs = (): void => {
    while (i < n && WS.test(s[i] as string)) i++;
  };
  /** Skip to the next top-level ',' (outside <> and quotes); leaves i on it or at n. */
  const skipToComma = (): void => {
    while (i < n && s[i] !== ',') {
      if (s[i] === '"') readQuoted();
      else if (s[i] === '<') {
        const close = s.indexOf('>', i);
        i = close < 0 ? n : close + 1;
      } else i++;
    }
  };
  const readQuoted = (): string => {
    // s[i] === '"'
    i++;
    let val = '';
    while (i < n && s[i] !== '"') {
      if (s[i] === '\\' && i + 1 < n) i++;
      val += s[i];
      i++;
    }
    i++; // closing quote (or past the end)
    return val;
  };

  while (i < n) {
    skipWs();
    if (i >= n) break;
    if (s[i] === ',') {
      i++;
      continue;
    }
    if (s[i] !== '<') {
      skipToComma();
      continue;
    }
    const close = s.indexOf('>', i + 1);
    if (close < 0) break; // unterminated target: ignore the rest
    const url = s.slice(i + 1, close).trim();
    i = close + 1;
    const params = new Map<string, string>();
    for (;;) {
      skipWs();
      if (i >= n || s[i] === ',') break;
      if (s[i] !== ';') {
        skipToComma();
        break;
      }
      i++;
      skipWs();
      const start = i;
      while (i < n && !/[=;,\s]/.test(s[i] as string)) i++;
      const name = s.slice(start, i).toLowerCase();
      skipWs();
      let value = '';
      if (s[i] === '=') {
        i++;
        skipWs();
        if (s[i] === '"') value = readQuoted();
        else {
          const vs = i;
          while (i < n && s[i] !== ';' && s[i] !== ',') i++;
          value = s.slice(vs, i).trim();
        }
      }
      if (name && !params.has(name)) params.set(name, value);
    }
    const rel = (params.get('rel') ?? '')
      .split(/\s+/)
      .filter((r) => r.length > 0)
      .map((r) => r.toLowerCase());
    out.push({ url, rel, params: Object.fromEntries(params) });
  }
}
