import type { LookupFunction } from 'node:net';
import { Client } from 'undici';
import { readBoundedBody } from './bounded-body';

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
  /** Address guard of the connection (`guardedLookup`; tests on loopback replace it). */
  lookup?: LookupFunction;
}

/**
 * `GET /.well-known/okta-organization` of an origin, through the
 * connect-time address guard, read with a byte cap and an overall deadline
 * (a body dripped byte by byte never trips undici's idle timeouts); the
 * parsed body, or null on any other status. Over-size bodies and missed
 * deadlines throw (callers read both as "does not answer like Okta").
 */
export async function readOrganization(
  base: URL,
  limits: OrganizationCheckLimits,
): Promise<unknown> {
  const idleMs = Math.min(5_000, limits.deadlineMs);
  const client = new Client(base.origin, {
    connect: { timeout: idleMs, lookup: limits.lookup },
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
      return null;
    }
    const length = res.headers['content-length'];
    const text = await readBoundedBody(
      res.body,
      Array.isArray(length) ? length[0] : length,
      limits.maxBytes,
    );
    return JSON.parse(text) as unknown;
  } finally {
    await client.destroy().catch(() => undefined);
  }
}

/** `{ id, href }` of an Okta-shaped `.well-known/okta-organization` answer, or null. */
export function organizationOf(body: unknown): { id: string; href: string } | null {
  if (!looksLikeOktaOrganization(body)) return null;
  const b = body as { id: string; _links: { organization: { href: string } } };
  return { id: b.id, href: b._links.organization.href };
}
