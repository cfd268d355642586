import { z } from 'zod';
import {
  OktaAppGroupSchema,
  OktaAppSchema,
  OktaAppUserSchema,
  OktaFactorSchema,
  OktaGroupSchema,
  OktaLogEventSchema,
  OktaRoleSchema,
  OktaUserSchema,
  type OktaApp,
  type OktaAppGroup,
  type OktaAppUser,
  type OktaFactor,
  type OktaGroup,
  type OktaLogEvent,
  type OktaRole,
  type OktaUser,
} from '@regentra/contracts';
import { OktaBadResponseError, OktaNotFoundError, OktaPaginationLoopError } from './okta-errors';
import { OktaHttp } from './okta-http';
import type { OktaHttpOptions, OktaHttpStats } from './okta-http.types';
import { DEFAULT_PAGE_LIMITS, PAGE_LIMIT_CAPS, type OktaPageLimits } from './page-limits';

export { DEFAULT_PAGE_LIMITS, type OktaPageLimits } from './page-limits';

export interface OktaClientOptions extends OktaHttpOptions {
  /** Smaller pages (tests, tuning). Defaults: DEFAULT_PAGE_LIMITS. */
  pageLimits?: Partial<OktaPageLimits>;
  /**
   * Most pages one listing may take before it fails (a cursor that never
   * ends). Default 50,000: a million users at 200 per page is 5,000.
   */
  maxPagesPerListing?: number;
}

/** `GET /.well-known/okta-organization` (no auth). `pipeline`: `idx` (Identity Engine) or `v1` (Classic). */
export const OktaOrganizationSchema = z
  .object({
    id: z.string().min(1),
    pipeline: z.string().nullish(),
    _links: z
      .object({ organization: z.object({ href: z.string() }).passthrough().optional() })
      .passthrough()
      .optional(),
  })
  .passthrough();
export type OktaOrganization = z.infer<typeof OktaOrganizationSchema>;

const AssigneeSchema = z.object({ id: z.string().min(1) }).passthrough();

export type OktaLogPageRequest =
  | { nextUrl: string }
  | {
      since: string;
      until?: string | undefined;
      filter?: string | undefined;
      limit?: number | undefined;
    };

export interface OktaLogPage {
  events: OktaLogEvent[];
  /** The `next` link to store as the checkpoint; always present on a polling query, null at the end of a bounded one. */
  nextUrl: string | null;
}

const E = {
  users: 'GET /api/v1/users',
  usersDeprovisioned: 'GET /api/v1/users?filter=status eq "DEPROVISIONED"',
  userMe: 'GET /api/v1/users/me',
  user: 'GET /api/v1/users/{id}',
  usersUpdated: 'GET /api/v1/users?search=lastUpdated gt "…"',
  factors: 'GET /api/v1/users/{id}/factors',
  userRoles: 'GET /api/v1/users/{id}/roles',
  groups: 'GET /api/v1/groups',
  groupUsers: 'GET /api/v1/groups/{id}/users',
  groupRoles: 'GET /api/v1/groups/{id}/roles',
  apps: 'GET /api/v1/apps',
  appUsers: 'GET /api/v1/apps/{id}/users',
  appGroups: 'GET /api/v1/apps/{id}/groups',
  assignees: 'GET /api/v1/iam/assignees/users',
  logs: 'GET /api/v1/logs',
  organization: 'GET /.well-known/okta-organization',
} as const;

/** An Okta id as a path segment: encoded, and never `.`/`..`. */
function seg(id: string, endpoint: string): string {
  if (typeof id !== 'string' || id.length === 0 || id === '.' || id === '..' || id.length > 200) {
    throw new TypeError(`invalid Okta id for ${endpoint}`);
  }
  return encodeURIComponent(id);
}

/**
 * Read-only client for one Okta org. Paged lists are async iterables of pages
 * (memory stays O(page)). Items are checked leniently against the contracts
 * schemas and passed through exactly as Okta sent them.
 */
export class OktaClient {
  private readonly http: OktaHttp;
  private readonly limits: OktaPageLimits;
  private readonly maxPages: number;

  constructor(opts: OktaClientOptions) {
    this.http = new OktaHttp(opts);
    this.maxPages = Math.max(1, Math.floor(opts.maxPagesPerListing ?? 50_000));
    const limits = { ...DEFAULT_PAGE_LIMITS };
    for (const key of Object.keys(limits) as Array<keyof OktaPageLimits>) {
      const wanted = opts.pageLimits?.[key];
      if (wanted !== undefined)
        limits[key] = Math.min(PAGE_LIMIT_CAPS[key], Math.max(1, Math.floor(wanted)));
    }
    this.limits = limits;
  }

  /** The client's origin (scheme://host[:port]). */
  get origin(): string {
    return this.http.origin;
  }

  /**
   * Every user, deprovisioned ones included: pages of the default list (which
   * omits DEPROVISIONED), then pages of `filter=status eq "DEPROVISIONED"`.
   * A user deprovisioned between the two phases appears in both (the later,
   * DEPROVISIONED copy is the newer state); ids are never repeated within the
   * deprovisioned phase. Empty pages are not yielded.
   */
  async *listUsers(): AsyncIterable<OktaUser[]> {
    // Only DEPROVISIONED ids are remembered (a small set), never the whole org.
    const seenDeprovisioned = new Set<string>();
    for await (const page of this.pages(
      E.users,
      '/api/v1/users',
      { limit: this.limits.users },
      OktaUserSchema,
    )) {
      for (const u of page) if (u.status === 'DEPROVISIONED') seenDeprovisioned.add(u.id);
      if (page.length > 0) yield page;
    }
    for await (const page of this.pages(
      E.usersDeprovisioned,
      '/api/v1/users',
      { filter: 'status eq "DEPROVISIONED"', limit: this.limits.users },
      OktaUserSchema,
    )) {
      const fresh = page.filter((u) => {
        if (seenDeprovisioned.has(u.id)) return false;
        seenDeprovisioned.add(u.id);
        return true;
      });
      if (fresh.length > 0) yield fresh;
    }
  }

  /**
   * Users whose `lastUpdated` is after `since` (ISO-8601), every status:
   * `search` results include DEPROVISIONED users (docs/okta.md). Empty pages are
   * not yielded.
   */
  async *listUsersUpdatedSince(since: string): AsyncIterable<OktaUser[]> {
    const at = new Date(since);
    if (Number.isNaN(at.getTime())) throw new TypeError(`invalid since ${since}`);
    for await (const page of this.pages(
      E.usersUpdated,
      '/api/v1/users',
      { search: `lastUpdated gt "${at.toISOString()}"`, limit: this.limits.users },
      OktaUserSchema,
    ))
      if (page.length > 0) yield page;
  }

  /** `GET /api/v1/users/{id}`; null when Okta answers 404 (the user was deleted). */
  async getUser(userId: string): Promise<OktaUser | null> {
    try {
      const res = await this.http.getJson({
        endpoint: E.user,
        path: `/api/v1/users/${seg(userId, E.user)}`,
      });
      return this.one(E.user, res.body, OktaUserSchema, res.status, res.oktaRequestId);
    } catch (error) {
      if (error instanceof OktaNotFoundError) return null;
      throw error;
    }
  }

  /**
   * System Log events of `eventTypes` published since `since`, read with
   * Okta's polling query until a page comes back empty. Empty pages are not
   * yielded.
   */
  async *listLogEventsSince(
    since: string,
    eventTypes: readonly string[],
  ): AsyncIterable<OktaLogEvent[]> {
    const filter = eventTypes.map((type) => `eventType eq "${type}"`).join(' or ');
    const guard = this.loopGuard(E.logs);
    let page = await this.fetchLogPage({ since, filter, limit: 1000 });
    for (;;) {
      if (page.events.length === 0) return;
      yield page.events;
      if (!page.nextUrl) return;
      guard(page.nextUrl, 200, undefined);
      page = await this.fetchLogPage({ nextUrl: page.nextUrl });
    }
  }

  /**
   * A plain-array call on one object: `call` as the dataset tables name it
   * (`GET /api/v1/users/{id}/factors`), `{id}` that object's id. Every
   * per-user dataset of the identity sync is read through this.
   */
  async listById<T>(
    call: string,
    id: string,
    schema: z.ZodType<T, z.ZodTypeDef, unknown>,
  ): Promise<T[]> {
    const [, template = ''] = call.split(' ');
    return this.array(call, template.replace('{id}', seg(id, call)), schema);
  }

  /** `GET /api/v1/users/{id}/factors` (plain array). */
  listUserFactors(userId: string): Promise<OktaFactor[]> {
    return this.listById(E.factors, userId, OktaFactorSchema);
  }

  /** `GET /api/v1/users/{id}/roles` (plain array). A read-only token may get a 403 here. */
  listUserRoles(userId: string): Promise<OktaRole[]> {
    return this.listById(E.userRoles, userId, OktaRoleSchema);
  }

  listGroups(): AsyncIterable<OktaGroup[]> {
    return this.pages(E.groups, '/api/v1/groups', { limit: this.limits.groups }, OktaGroupSchema);
  }

  listGroupMembers(groupId: string): AsyncIterable<OktaUser[]> {
    return this.pages(
      E.groupUsers,
      `/api/v1/groups/${seg(groupId, E.groupUsers)}/users`,
      { limit: this.limits.groupMembers },
      OktaUserSchema,
    );
  }

  listGroupRoles(groupId: string): Promise<OktaRole[]> {
    return this.listById(E.groupRoles, groupId, OktaRoleSchema);
  }

  listApps(): AsyncIterable<OktaApp[]> {
    return this.pages(E.apps, '/api/v1/apps', { limit: this.limits.apps }, OktaAppSchema);
  }

  listAppUsers(appId: string): AsyncIterable<OktaAppUser[]> {
    return this.pages(
      E.appUsers,
      `/api/v1/apps/${seg(appId, E.appUsers)}/users`,
      { limit: this.limits.appUsers },
      OktaAppUserSchema,
    );
  }

  listAppGroups(appId: string): AsyncIterable<OktaAppGroup[]> {
    return this.pages(
      E.appGroups,
      `/api/v1/apps/${seg(appId, E.appGroups)}/groups`,
      { limit: this.limits.appGroups },
      OktaAppGroupSchema,
    );
  }

  /**
   * Ids of users holding admin roles (`GET /api/v1/iam/assignees/users`), paged
   * through `_links.next.href` in the body (same-origin only).
   */
  async *listRoleAssigneeUsers(): AsyncIterable<string[]> {
    let res = await this.http.getJson({
      endpoint: E.assignees,
      path: '/api/v1/iam/assignees/users',
      query: { limit: this.limits.roleAssignees },
    });
    const guard = this.loopGuard(E.assignees);
    for (;;) {
      const body = res.body as { value?: unknown; _links?: { next?: { href?: unknown } } } | null;
      if (!body || typeof body !== 'object' || !Array.isArray(body.value)) {
        throw new OktaBadResponseError({
          status: res.status,
          endpoint: E.assignees,
          oktaRequestId: res.oktaRequestId,
          detail: 'expected an object with a "value" array',
        });
      }
      const ids = body.value.map((item, index) => {
        const parsed = AssigneeSchema.safeParse(item);
        if (!parsed.success)
          throw this.badItem(E.assignees, index, res.status, res.oktaRequestId, parsed.error);
        return parsed.data.id;
      });
      if (ids.length > 0) yield ids;
      const href = body._links?.next?.href;
      if (href === undefined || href === null) return;
      if (typeof href !== 'string' || href.length === 0) {
        throw new OktaBadResponseError({
          status: res.status,
          endpoint: E.assignees,
          oktaRequestId: res.oktaRequestId,
          detail: '_links.next.href is not a string',
        });
      }
      const next = this.http.sameOriginLink(href, E.assignees, res.status);
      guard(next, res.status, res.oktaRequestId);
      res = await this.http.getJson({ endpoint: E.assignees, url: next });
    }
  }

  /** The admin who created the token (`GET /api/v1/users/me`). */
  async getTokenOwner(): Promise<OktaUser> {
    const res = await this.http.getJson({ endpoint: E.userMe, path: '/api/v1/users/me' });
    return this.one(E.userMe, res.body, OktaUserSchema, res.status, res.oktaRequestId);
  }

  /** `GET /.well-known/okta-organization` — sent without the token. */
  async getOrganization(): Promise<OktaOrganization> {
    const res = await this.http.getJson({
      endpoint: E.organization,
      path: '/.well-known/okta-organization',
      auth: false,
    });
    return this.one(
      E.organization,
      res.body,
      OktaOrganizationSchema,
      res.status,
      res.oktaRequestId,
    );
  }

  /**
   * One System Log page. `{ nextUrl }` follows a stored `next` link exactly
   * (same origin only); otherwise the first URL is built from `since`
   * (+ `until`, `filter`), `limit` (≤ 1000, default 1000), ascending.
   */
  async fetchLogPage(request: OktaLogPageRequest): Promise<OktaLogPage> {
    let res;
    if ('nextUrl' in request) {
      res = await this.http.getJson({ endpoint: E.logs, url: request.nextUrl });
    } else {
      const limit = Math.min(1000, Math.max(1, Math.floor(request.limit ?? 1000)));
      res = await this.http.getJson({
        endpoint: E.logs,
        path: '/api/v1/logs',
        query: {
          since: request.since,
          until: request.until,
          filter: request.filter,
          limit,
          sortOrder: 'ASCENDING',
        },
      });
    }
    const events = this.items(E.logs, res.body, OktaLogEventSchema, res.status, res.oktaRequestId);
    return { events, nextUrl: res.nextUrl };
  }

  /** Request counters and per-bucket rate-limit state (for metrics). */
  stats(): OktaHttpStats {
    return this.http.stats();
  }

  async close(): Promise<void> {
    await this.http.close();
  }

  private async *pages<T>(
    endpoint: string,
    path: string,
    query: Record<string, string | number>,
    schema: z.ZodType<T, z.ZodTypeDef, unknown>,
  ): AsyncIterable<T[]> {
    let res = await this.http.getJson({ endpoint, path, query });
    const guard = this.loopGuard(endpoint);
    for (;;) {
      yield this.items(endpoint, res.body, schema, res.status, res.oktaRequestId);
      if (res.nextUrl === null) return;
      guard(res.nextUrl, res.status, res.oktaRequestId);
      res = await this.http.getJson({ endpoint, url: res.nextUrl });
    }
  }

  /**
   * One listing's guard against a cursor that loops: a `next` link already
   * followed in this listing, or more than `maxPagesPerListing` pages, fails
   * the listing instead of following it forever.
   */
  private loopGuard(
    endpoint: string,
  ): (next: string, status: number, oktaRequestId: string | undefined) => void {
    const followed = new Set<string>();
    return (next, status, oktaRequestId) => {
      const key = new URL(next, this.http.origin).href;
      const detail = followed.has(key)
        ? `the next link repeats a page already read in this listing (after ${followed.size + 1} pages); refusing to loop`
        : followed.size + 1 >= this.maxPages
          ? `the listing passed ${this.maxPages} pages (maxPagesPerListing); refusing to follow more`
          : null;
      if (detail) throw new OktaPaginationLoopError({ status, endpoint, oktaRequestId, detail });
      followed.add(key);
    };
  }

  private async array<T>(
    endpoint: string,
    path: string,
    schema: z.ZodType<T, z.ZodTypeDef, unknown>,
  ): Promise<T[]> {
    const res = await this.http.getJson({ endpoint, path });
    return this.items(endpoint, res.body, schema, res.status, res.oktaRequestId);
  }

  /** Validates every item; returns the raw items unchanged. */
  private items<T>(
    endpoint: string,
    body: unknown,
    schema: z.ZodType<T, z.ZodTypeDef, unknown>,
    status: number,
    oktaRequestId: string | undefined,
  ): T[] {
    if (!Array.isArray(body)) {
      throw new OktaBadResponseError({
        status,
        endpoint,
        oktaRequestId,
        detail: 'expected a JSON array',
      });
    }
    body.forEach((item, index) => {
      const parsed = schema.safeParse(item);
      if (!parsed.success) throw this.badItem(endpoint, index, status, oktaRequestId, parsed.error);
    });
    return body as T[];
  }

  private one<T>(
    endpoint: string,
    body: unknown,
    schema: z.ZodType<T, z.ZodTypeDef, unknown>,
    status: number,
    oktaRequestId: string | undefined,
  ): T {
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new OktaBadResponseError({
        status,
        endpoint,
        oktaRequestId,
        detail: `unexpected object: ${describeIssues(parsed.error)}`,
      });
    }
    return body as T;
  }

  private badItem(
    endpoint: string,
    index: number,
    status: number,
    oktaRequestId: string | undefined,
    error: z.ZodError,
  ): OktaBadResponseError {
    return new OktaBadResponseError({
      status,
      endpoint,
      oktaRequestId,
      itemIndex: index,
      detail: `item ${index} does not match the expected shape: ${describeIssues(error)}`,
    });
  }
}

/** Field paths and issue codes only — never the offending values. */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.code}`)
    .join('; ');
}
