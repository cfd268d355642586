import {
  lookup as dnsLookup,
  type LookupAddress,
  type LookupAllOptions,
  type LookupOptions,
} from 'node:dns';
import { promises as dnsPromises } from 'node:dns';
import { isIP } from 'node:net';
import { Client } from 'undici';
import { readBoundedBody } from './bounded-body';
import { isPublicAddress } from './ip-address';

/** Okta's own org domains: `{org}.<suffix>`, accepted without a DNS check. */
export const OKTA_DOMAIN_SUFFIXES = [
  'okta.com',
  'oktapreview.com',
  'okta-emea.com',
  'okta-gov.com',
  'okta.mil',
] as const;

export type OktaDomainErrorReason =
  | 'empty'
  | 'invalid'
  | 'not-https'
  | 'credentials'
  | 'port'
  | 'admin-host'
  | 'ip-literal'
  | 'localhost'
  | 'dns-failure'
  | 'private-address'
  | 'not-okta';

/** A domain the collector refuses to talk to. `message` is written for the customer. */
export class OktaDomainError extends Error {
  readonly reason: OktaDomainErrorReason;
  /** The host concerned, when one could be parsed. */
  readonly host?: string | undefined;

  constructor(reason: OktaDomainErrorReason, message: string, host?: string) {
    super(message);
    this.name = 'OktaDomainError';
    this.reason = reason;
    this.host = host;
  }
}

export interface ValidateOktaDomainOptions {
  /**
   * Test-only opt-in: `host:port` entries (e.g. `127.0.0.1:4010`) that may be
   * used over plain `http://` and may be loopback/private. The ONLY way to reach
   * such an address. Empty in production.
   */
  allowInsecureHosts: readonly string[];
  /** DNS resolver for custom domains (default: the system resolver, all addresses). */
  resolve?: (host: string) => Promise<string[]>;
  /**
   * Custom domains must answer `GET /.well-known/okta-organization` like Okta
   * (org `id`, `_links.organization.href`). Default: a real HTTPS request through
   * the connect-time address guard. Pass a function in tests, or `false` to skip.
   */
  verifyOrganization?: ((base: URL) => Promise<boolean>) | false;
}

/** Normalises `host:port` for comparisons (lower case, default port filled in). */
export function hostPortKey(hostname: string, port: string, protocol: string): string {
  const p = port || (protocol === 'http:' ? '80' : '443');
  return `${hostname.toLowerCase()}:${p}`;
}

function normalizeAllowList(entries: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const raw of entries) {
    const e = raw.trim();
    if (!e) continue;
    try {
      const u = new URL(e.includes('://') ? e : `http://${e}`);
      if (!u.port && !e.includes('://')) continue; // a bare entry must name its port
      out.add(hostPortKey(u.hostname, u.port, u.protocol));
    } catch {
      // ignore unparsable entries
    }
  }
  return out;
}

/** True when `url`'s host:port is in the test-only insecure opt-in list. */
export function isInsecureHostAllowed(url: URL, allowInsecureHosts: readonly string[]): boolean {
  if (allowInsecureHosts.length === 0) return false;
  const list = normalizeAllowList(allowInsecureHosts);
  return list.has(hostPortKey(url.hostname, url.port, url.protocol));
}

function isOktaOwnDomain(host: string): boolean {
  return OKTA_DOMAIN_SUFFIXES.some((suffix) => {
    if (!host.endsWith(`.${suffix}`)) return false;
    const org = host.slice(0, -(suffix.length + 1));
    return /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(org);
  });
}

const EXAMPLE = 'for example acme.okta.com';

/**
 * The one test that a URL's host is a domain name, not an address: used by
 * `validateOktaDomain` and again by the client on its base URL. Returns the
 * host in lower case without its trailing dot. Refused: any IP literal (digits
 * and dots only, in whatever spelling `isIP` does not recognise, such as
 * `1.2.3.4.` or the URL parser's `1.2.3.4..`; anything with a colon, i.e.
 * IPv6) and `localhost` names.
 */
export function domainNameOf(hostname: string): string {
  let host = hostname.toLowerCase();
  if (host.endsWith('.')) host = host.slice(0, -1);
  const bare = host.replace(/^\[|\]$/g, '');
  if (isIP(bare) !== 0 || /^[\d.]+$/.test(bare) || bare.includes(':')) {
    throw new OktaDomainError(
      'ip-literal',
      `IP addresses are not accepted; enter your Okta domain (${EXAMPLE}) or your Okta custom domain.`,
      host,
    );
  }
  if (host === 'localhost' || host.endsWith('.localhost')) {
    throw new OktaDomainError(
      'localhost',
      `${host} is not an Okta domain; enter your Okta domain (${EXAMPLE}).`,
      host,
    );
  }
  return host;
}

/**
 * Validates what a customer typed as their Okta domain and returns the base
 * URL (origin only) the client will use. Accepts a bare host or an https URL
 * (any path/query is dropped). Okta's own domains pass without DNS; a custom
 * domain must resolve to public addresses only and answer like Okta. Only a
 * `host:port` from `allowInsecureHosts` may use http or a non-public address.
 */
export async function validateOktaDomain(
  input: string,
  opts: ValidateOktaDomainOptions,
): Promise<URL> {
  const text = (input ?? '').trim();
  if (!text) throw new OktaDomainError('empty', `Enter your Okta domain (${EXAMPLE}).`);
  const allow = normalizeAllowList(opts.allowInsecureHosts);

  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text);
  let url: URL;
  try {
    url = new URL(hasScheme ? text : `https://${text}`);
  } catch {
    throw new OktaDomainError(
      'invalid',
      `"${truncate(text)}" is not a valid domain; enter your Okta domain (${EXAMPLE}).`,
    );
  }
  if (!url.hostname) {
    throw new OktaDomainError(
      'invalid',
      `"${truncate(text)}" is not a valid domain; enter your Okta domain (${EXAMPLE}).`,
    );
  }

  // The test-only opt-in: a listed host:port, over http (bare entries default to http) or https.
  if (!hasScheme) {
    const asHttp = new URL(`http://${text}`);
    if (allow.has(hostPortKey(asHttp.hostname, asHttp.port, 'http:')))
      return new URL(asHttp.origin);
  }
  if (
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    allow.has(hostPortKey(url.hostname, url.port, url.protocol))
  ) {
    return new URL(url.origin);
  }

  if (url.protocol !== 'https:') {
    throw new OktaDomainError(
      'not-https',
      `The Okta domain must use https:// (${EXAMPLE}).`,
      url.hostname,
    );
  }
  if (url.username || url.password) {
    throw new OktaDomainError(
      'credentials',
      'The Okta domain must not contain a user name or password.',
      url.hostname,
    );
  }
  const host = domainNameOf(url.hostname);
  if (url.port && url.port !== '443') {
    throw new OktaDomainError('port', `The Okta domain must not name a port (${EXAMPLE}).`, host);
  }
  if (host.split('.').some((label) => label.endsWith('-admin'))) {
    const suggestion = host.replace(/-admin(?=\.)/, '');
    throw new OktaDomainError(
      'admin-host',
      `${host} is the Okta Admin Console address, not the API; enter ${suggestion} instead.`,
      host,
    );
  }
  if (!host.includes('.')) {
    throw new OktaDomainError(
      'invalid',
      `${host} is not a public domain name; enter your Okta domain (${EXAMPLE}).`,
      host,
    );
  }
  const base = new URL(`https://${host}`);
  if (isOktaOwnDomain(host)) return base;
  if (OKTA_DOMAIN_SUFFIXES.some((s) => host === s || host.endsWith(`.${s}`))) {
    throw new OktaDomainError(
      'invalid',
      `${host} is not an Okta organization domain (${EXAMPLE}).`,
      host,
    );
  }

  // A custom URL domain: public addresses only, and it must answer like Okta.
  const resolve = opts.resolve ?? defaultResolve;
  let addresses: string[];
  try {
    addresses = await resolve(host);
  } catch {
    throw new OktaDomainError(
      'dns-failure',
      `${host} could not be found (DNS lookup failed); check the domain.`,
      host,
    );
  }
  if (addresses.length === 0) {
    throw new OktaDomainError(
      'dns-failure',
      `${host} could not be found (DNS lookup failed); check the domain.`,
      host,
    );
  }
  if (!addresses.every(isPublicAddress)) {
    throw new OktaDomainError(
      'private-address',
      `${host} resolves to a private or reserved network address; only publicly reachable Okta custom domains are accepted.`,
      host,
    );
  }
  const verify = opts.verifyOrganization ?? defaultVerifyOrganization;
  if (verify !== false) {
    let ok = false;
    try {
      ok = await verify(base);
    } catch {
      ok = false;
    }
    if (!ok) {
      throw new OktaDomainError(
        'not-okta',
        `${host} does not answer like an Okta organization (https://${host}/.well-known/okta-organization); check the domain.`,
        host,
      );
    }
  }
  return base;
}

function truncate(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

async function defaultResolve(host: string): Promise<string[]> {
  const res = await dnsPromises.lookup(host, { all: true, verbatim: true });
  return res.map((r) => r.address);
}

/** An Okta-looking answer from `/.well-known/okta-organization`. */
export function looksLikeOktaOrganization(body: unknown): boolean {
  if (!body || typeof body !== 'object') return false;
  const b = body as { id?: unknown; _links?: { organization?: { href?: unknown } } };
  return (
    typeof b.id === 'string' && b.id.length > 0 && typeof b._links?.organization?.href === 'string'
  );
}

/** Limits of the custom-domain check: one PUT must not hang the collector or fill its memory. */
export interface OrganizationCheckLimits {
  /** Largest `.well-known/okta-organization` body read (Okta's is under 1 KiB). */
  maxBytes: number;
  /** Overall deadline of the check: connect, headers and the whole body. */
  deadlineMs: number;
  /** Address guard of the connection (tests on loopback replace it). */
  lookup?: typeof guardedLookup;
}

export const ORGANIZATION_CHECK_LIMITS: OrganizationCheckLimits = {
  maxBytes: 64 * 1024,
  deadlineMs: 10_000,
};

/**
 * `GET /.well-known/okta-organization` of a custom domain, through the
 * connect-time address guard, read with a byte cap and an overall deadline
 * (a body dripped byte by byte never trips undici's idle timeouts). Any
 * failure, over-size body or missed deadline is "does not answer like Okta".
 */
export async function fetchesLikeOktaOrganization(
  base: URL,
  limits: OrganizationCheckLimits = ORGANIZATION_CHECK_LIMITS,
): Promise<boolean> {
  const idleMs = Math.min(5_000, limits.deadlineMs);
  const client = new Client(base.origin, {
    connect: { timeout: idleMs, lookup: limits.lookup ?? guardedLookup },
    headersTimeout: idleMs,
    bodyTimeout: idleMs,
  });
  const deadline = AbortSignal.timeout(limits.deadlineMs);
  try {
    const res = await client.request({
      method: 'GET',
      path: '/.well-known/okta-organization',
      headers: { accept: 'application/json', 'user-agent': 'regentra-okta-collector/0.1' },
      signal: deadline,
    });
    if (res.statusCode !== 200) {
      res.body.destroy();
      return false;
    }
    const length = res.headers['content-length'];
    const text = await readBoundedBody(
      res.body,
      Array.isArray(length) ? length[0] : length,
      limits.maxBytes,
    );
    return looksLikeOktaOrganization(JSON.parse(text));
  } finally {
    await client.destroy().catch(() => undefined);
  }
}

const defaultVerifyOrganization = (base: URL) => fetchesLikeOktaOrganization(base);

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `net.connect` / `tls.connect` `lookup` that resolves like the system
 * resolver and then refuses the connection unless every address is public.
 * Defeats DNS rebinding between validation and connection.
 */
export function guardedLookup(
  hostname: string,
  options: LookupOptions | number | undefined,
  callback: LookupCallback,
): void {
  const o: Record<string, unknown> =
    typeof options === 'object' && options !== null ? { ...options } : {};
  if (typeof options === 'number') o.family = options;
  const wantAll = o.all === true;
  dnsLookup(hostname, { ...o, all: true } as LookupAllOptions, (err, addresses) => {
    if (err) {
      callback(err, wantAll ? [] : '', undefined);
      return;
    }
    const list = addresses ?? [];
    const bad = list.length === 0 || list.some((a) => !isPublicAddress(a.address));
    if (bad) {
      const e = new OktaDomainError(
        'private-address',
        `${hostname} resolved to a private or reserved network address at connect time; connection refused.`,
        hostname,
      ) as OktaDomainError & { code?: string };
      e.code = 'ERR_OKTA_PRIVATE_ADDRESS';
      callback(e, wantAll ? [] : '', undefined);
      return;
    }
    if (wantAll) {
      callback(null, list);
    } else {
      const first = list[0] as LookupAddress;
      callback(null, first.address, first.family);
    }
  });
}
