import { isIP } from 'node:net';

/**
 * Address classification for the SSRF guard: only globally routable unicast
 * addresses count as public. Everything special-purpose (loopback, RFC 1918,
 * CGNAT, link-local incl. the cloud metadata address, documentation, multicast,
 * reserved, unique-local …) is refused, including the same addresses wrapped in
 * IPv6 (IPv4-mapped, IPv4-compatible, NAT64, 6to4).
 */

type V4Range = readonly [base: number, prefix: number];

const V4_NON_PUBLIC: readonly V4Range[] = [
  [v4('0.0.0.0'), 8], // "this network", incl. 0.0.0.0
  [v4('10.0.0.0'), 8], // RFC 1918
  [v4('100.64.0.0'), 10], // CGNAT
  [v4('127.0.0.0'), 8], // loopback
  [v4('169.254.0.0'), 16], // link-local, incl. 169.254.169.254 metadata
  [v4('172.16.0.0'), 12], // RFC 1918
  [v4('192.0.0.0'), 24], // IETF protocol assignments
  [v4('192.0.2.0'), 24], // TEST-NET-1
  [v4('192.88.99.0'), 24], // 6to4 relay anycast (deprecated)
  [v4('192.168.0.0'), 16], // RFC 1918
  [v4('198.18.0.0'), 15], // benchmarking
  [v4('198.51.100.0'), 24], // TEST-NET-2
  [v4('203.0.113.0'), 24], // TEST-NET-3
  [v4('224.0.0.0'), 4], // multicast
  [v4('240.0.0.0'), 4], // reserved, incl. 255.255.255.255
];

function v4(dotted: string): number {
  const n = parseV4(dotted);
  if (n === undefined) throw new Error(`bad IPv4 literal ${dotted}`);
  return n;
}

/** Strict dotted-quad parser; returns the address as an unsigned 32-bit number. */
export function parseV4(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const b = Number(p);
    if (b > 255) return undefined;
    n = n * 256 + b;
  }
  return n;
}

function inV4Range(addr: number, [base, prefix]: V4Range): boolean {
  const size = 2 ** (32 - prefix);
  return Math.floor(addr / size) === Math.floor(base / size);
}

function isPublicV4(addr: number): boolean {
  return !V4_NON_PUBLIC.some((r) => inV4Range(addr, r));
}

/** Parses an IPv6 literal (with optional embedded IPv4 tail, no zone) into 8 16-bit words. */
export function parseV6(input: string): number[] | undefined {
  let s = input;
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  if (s.includes('%')) return undefined; // zone ids are never public
  let tail: number[] = [];
  const lastColon = s.lastIndexOf(':');
  if (lastColon >= 0 && s.slice(lastColon + 1).includes('.')) {
    const n4 = parseV4(s.slice(lastColon + 1));
    if (n4 === undefined) return undefined;
    tail = [Math.floor(n4 / 65536), n4 % 65536];
    s = s.slice(0, lastColon + 1);
    // "::a.b.c.d" keeps its double colon; "x:y:a.b.c.d" drops the separator
    if (!s.endsWith('::')) s = s.slice(0, -1);
  }
  const want = 8 - tail.length;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const parseWords = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    for (const w of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(w)) return undefined;
      out.push(parseInt(w, 16));
    }
    return out;
  };
  const head = parseWords(halves[0] ?? '');
  if (!head) return undefined;
  let words: number[];
  if (halves.length === 2) {
    const rest = parseWords(halves[1] ?? '');
    if (!rest) return undefined;
    const fill = want - head.length - rest.length;
    if (fill < 1) return undefined;
    words = [...head, ...new Array<number>(fill).fill(0), ...rest];
  } else {
    words = head;
  }
  if (words.length !== want) return undefined;
  return [...words, ...tail];
}

function embeddedV4(w: number[], at: number): number {
  return (w[at] ?? 0) * 65536 + (w[at + 1] ?? 0);
}

function isPublicV6(w: number[]): boolean {
  const [w0 = 0, w1 = 0, w2 = 0, w3 = 0, w4 = 0, w5 = 0] = w;
  const firstSixZero = w0 === 0 && w1 === 0 && w2 === 0 && w3 === 0 && w4 === 0;
  // ::ffff:a.b.c.d (IPv4-mapped) — judge the IPv4 address
  if (firstSixZero && w5 === 0xffff) return isPublicV4(embeddedV4(w, 6));
  // ::/96 — unspecified, loopback, deprecated IPv4-compatible: never public
  if (firstSixZero && w5 === 0) return false;
  // 64:ff9b::/96 well-known NAT64 — judge the IPv4 address
  if (w0 === 0x64 && w1 === 0xff9b && w2 === 0 && w3 === 0 && w4 === 0 && w5 === 0) {
    return isPublicV4(embeddedV4(w, 6));
  }
  // 2002::/16 6to4 — judge the embedded IPv4 address
  if (w0 === 0x2002) return isPublicV4(embeddedV4(w, 1));
  // Only global unicast 2000::/3 can be public …
  if ((w0 & 0xe000) !== 0x2000) return false; // fc00::/7, fe80::/10, ff00::/8, 64:ff9b:1::/48, 100::/64 …
  // … minus Teredo 2001::/32, ORCHID/benchmarking/other IETF 2001::/23 and documentation 2001:db8::/32
  if (w0 === 0x2001 && w1 < 0x200) return false;
  if (w0 === 0x2001 && w1 === 0xdb8) return false;
  if (w0 === 0x3fff && w1 < 0x1000) return false; // 3fff::/20 documentation (RFC 9637)
  return true;
}

/** True only for a syntactically valid, globally routable unicast IP address. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address.replace(/^\[|\]$/g, ''));
  if (family === 4) {
    const n = parseV4(address);
    return n !== undefined && isPublicV4(n);
  }
  if (family === 6) {
    const w = parseV6(address);
    return w !== undefined && isPublicV6(w);
  }
  return false;
}
