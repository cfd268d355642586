import {
  lookup as dnsLookup,
  type LookupAddress,
  type LookupAllOptions,
  type LookupOptions,
} from 'node:dns';
import { promises as dnsPromises } from 'node:dns';
import { isIP } from 'node:net';
import { isPublicAddress } from './ip-address';
import {
  looksLikeOktaOrganization,
  organizationOf,
  readOrganization,
  type OrganizationCheckLimits,
} from './well-known';

export { looksLikeOktaOrganization, organizationOf, type OrganizationCheckLimits };

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
  | 'not-okta'
  | 'custom-domain-not-okta-org'
  | 'custom-domain-org-mismatch';

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
  /**
   * Test-only opt-in: `host:port` entries that are custom domains over plain
   * `http://` (a fake "custom domain" in front of the simulator). Checked like
   * any custom domain, DNS aside. Empty in production.
   */
  insecureCustomDomains?: readonly string[];
  /** DNS resolver for custom domains (default: the system resolver, all addresses). */
  resolve?: (host: string) => Promise<string[]>;
  /**
   * Reads `GET /.well-known/okta-organization` of an origin (a custom domain,
   * then the Okta org host it names) and returns the parsed body. Default: a
   * real request through the connect-time address guard (a plain lookup for
   * an `allowInsecureHosts` entry). Pass a function in tests.
   */
  readOrganization?: (base: URL) => Promise<unknown>;
}

/**
 * What a customer's domain resolved to: what they typed (`domain`, origin
 * only), where API calls go (`apiBase`: the domain itself for an Okta org
 * host, the Okta org host its `.well-known` names for a custom domain), and
 * the Okta org id when validation read it (custom domains; null otherwise,
 * the connection test reads it then).
 */
export interface OktaDomainResolution {
  domain: URL;
  apiBase: URL;
  oktaOrgId: string | null;
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
 * Validates what a customer typed as their Okta domain and returns the URL
 * (origin only) of what they typed; `resolveOktaDomain` also says where API
 * calls go.
 */
export async function validateOktaDomain(
  input: string,
  opts: ValidateOktaDomainOptions,
): Promise<URL> {
  return (await resolveOktaDomain(input, opts)).domain;
}

/**
 * Validates what a customer typed as their Okta domain. Accepts a bare host
 * or an https URL (any path/query is dropped). Okta's own domains pass
 * without DNS; a custom domain must resolve to public addresses only and
 * pass `verifyCustomDomain` (docs/okta.md, Domains), and its API calls go to
 * the Okta org host it names. Only a `host:port` from `allowInsecureHosts`
 * may use http or a non-public address.
 */
export async function resolveOktaDomain(
  input: string,
  opts: ValidateOktaDomainOptions,
): Promise<OktaDomainResolution> {
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
  // Test-only: a listed "custom domain" over http, checked like any custom domain but DNS.
  const customs = normalizeAllowList(opts.insecureCustomDomains ?? []);
  const custom = insecureOrigin(text, url, hasScheme, customs);
  if (custom) return { domain: custom, ...(await verifyCustomDomain(custom, opts)) };
  const insecure = insecureOrigin(text, url, hasScheme, allow);
  if (insecure) return { domain: insecure, apiBase: insecure, oktaOrgId: null };

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
  if (isOktaOwnDomain(host)) return { domain: base, apiBase: base, oktaOrgId: null };
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
  const org = await verifyCustomDomain(base, opts);
  return { domain: base, ...org };
}

/** The origin of an `allowInsecureHosts` entry the input names, or null. */
function insecureOrigin(
  text: string,
  url: URL,
  hasScheme: boolean,
  allow: Set<string>,
): URL | null {
  if (!hasScheme) {
    const asHttp = new URL(`http://${text}`);
    if (allow.has(hostPortKey(asHttp.hostname, asHttp.port, 'http:')))
      return new URL(asHttp.origin);
  }
  if (
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    allow.has(hostPortKey(url.hostname, url.port, url.protocol))
  )
    return new URL(url.origin);
  return null;
}

/**
 * A custom domain is Okta's only when its `.well-known/okta-organization`
 * names, in `_links.organization.href`, an Okta-owned org host (one of
 * OKTA_DOMAIN_SUFFIXES, or in tests an `allowInsecureHosts` entry), and that
 * host's own `.well-known` answers the same org id. Anyone can serve an
 * Okta-shaped answer; only Okta serves one on Okta's hosts (docs/okta.md,
 * Domains). Returns the org host (where API calls go) and the org id.
 */
export async function verifyCustomDomain(
  base: URL,
  opts: ValidateOktaDomainOptions,
): Promise<{ apiBase: URL; oktaOrgId: string }> {
  const host = base.host;
  const read = opts.readOrganization ?? ((url: URL) => readOrganizationOf(url, opts));
  const body = await read(base).catch(() => null);
  const org = organizationOf(body);
  if (!org) {
    throw new OktaDomainError(
      'not-okta',
      `${host} does not answer like an Okta organization (${base.origin}/.well-known/okta-organization); check the domain.`,
      base.hostname,
    );
  }
  const apiBase = oktaOrgHostOf(org.href, opts.allowInsecureHosts);
  if (!apiBase) {
    throw new OktaDomainError(
      'custom-domain-not-okta-org',
      `${host} names ${truncate(org.href)} as its Okta organization, which is not an Okta org domain (${EXAMPLE}); custom domains are accepted only in front of an Okta org.`,
      base.hostname,
    );
  }
  const own = organizationOf(await read(apiBase).catch(() => null));
  if (!own || own.id !== org.id) {
    throw new OktaDomainError(
      'custom-domain-org-mismatch',
      `${host} claims Okta org ${truncate(org.id)}, but ${apiBase.host} ${own ? `is org ${truncate(own.id)}` : 'does not answer like an Okta organization'}; check the domain.`,
      base.hostname,
    );
  }
  return { apiBase, oktaOrgId: org.id };
}

/** The Okta org host an organization href names (origin only), or null when it is not Okta's. */
function oktaOrgHostOf(href: string, allowInsecureHosts: readonly string[]): URL | null {
  const url = parseUrl(href);
  if (!url) return null;
  if (isInsecureHostAllowed(url, allowInsecureHosts)) return new URL(url.origin);
  if (url.protocol !== 'https:' || url.username || url.password) return null;
  if (url.port && url.port !== '443') return null;
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  if (!isOktaOwnDomain(host) || host.split('.').some((l) => l.endsWith('-admin'))) return null;
  return new URL(`https://${host}`);
}

function parseUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

function truncate(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

async function defaultResolve(host: string): Promise<string[]> {
  const res = await dnsPromises.lookup(host, { all: true, verbatim: true });
  return res.map((r) => r.address);
}

export const ORGANIZATION_CHECK_LIMITS: OrganizationCheckLimits = {
  maxBytes: 64 * 1024,
  deadlineMs: 10_000,
};

/** Whether an origin answers `.well-known/okta-organization` like Okta (see readOrganization). */
export async function fetchesLikeOktaOrganization(
  base: URL,
  limits: OrganizationCheckLimits = ORGANIZATION_CHECK_LIMITS,
): Promise<boolean> {
  return looksLikeOktaOrganization(
    await readOrganization(base, { ...limits, lookup: limits.lookup ?? guardedLookup }),
  );
}

/** The default reader: the guard's lookup, or a plain one for an `allowInsecureHosts` entry. */
function readOrganizationOf(base: URL, opts: ValidateOktaDomainOptions): Promise<unknown> {
  const insecure =
    isInsecureHostAllowed(base, opts.allowInsecureHosts) ||
    isInsecureHostAllowed(base, opts.insecureCustomDomains ?? []);
  return readOrganization(base, {
    ...ORGANIZATION_CHECK_LIMITS,
    lookup: insecure ? (dnsLookup as never) : guardedLookup,
  });
}

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
