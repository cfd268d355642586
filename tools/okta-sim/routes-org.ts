import { buildUrl, decodeIdCursor, pageSorted, parseLimit } from './pagination';
import { ApiResult, RouteContext, RouteDef } from './route';

/**
 * `/iam/assignees/users`: users holding roles directly, paged through
 * `_links.next.href` in the body (no Link header).
 */
function listAssignees(ctx: RouteContext): ApiResult {
  const limit = parseLimit(ctx.query.get('limit'), 100, 100);
  const after = decodeIdCursor(ctx.query.get('after'));
  const page = pageSorted(
    ctx.org.users,
    (u) => u.id,
    after,
    limit,
    (u) => u.roles.length > 0,
  );
  const links: Record<string, { href: string }> = { self: { href: ctx.selfUrl } };
  if (page.nextAfter) {
    links.next = {
      href: buildUrl(ctx.base, ctx.path, [
        ['after', page.nextAfter],
        ['limit', String(limit)],
      ]),
    };
  }
  return {
    status: 200,
    body: {
      value: page.items.map((u) => ({
        id: u.id,
        orn: `orn:okta:directory:${ctx.org.id}:users:${u.id}`,
        _links: {
          self: { href: `${ctx.base}/api/v1/users/${u.id}` },
          roles: { href: `${ctx.base}/api/v1/users/${u.id}/roles` },
        },
      })),
      _links: links,
    },
  };
}

export const orgRoutes: RouteDef[] = [
  {
    method: 'GET',
    template: '/api/v1/iam/assignees/users',
    bucket: 'other',
    auth: true,
    handle: listAssignees,
  },
  {
    method: 'GET',
    template: '/api/v1/org',
    bucket: 'other',
    auth: true,
    handle: (ctx) => ({
      status: 200,
      body: {
        id: ctx.org.id,
        companyName: `Acme (${ctx.org.emailDomain})`,
        status: 'ACTIVE',
        subdomain: ctx.org.emailDomain.split('.')[0],
        website: `https://${ctx.org.emailDomain}`,
        _links: { self: { href: `${ctx.base}/api/v1/org` } },
      },
    }),
  },
  {
    method: 'DELETE',
    template: '/api/v1/api-tokens/current',
    bucket: 'other',
    auth: true,
    handle: (ctx) => {
      ctx.revokeToken();
      return { status: 204 };
    },
  },
  {
    method: 'GET',
    template: '/.well-known/okta-organization',
    bucket: 'other',
    auth: false,
    handle: (ctx) => ({
      status: 200,
      body: {
        id: ctx.org.id,
        pipeline: ctx.pipeline,
        _links: { organization: { href: ctx.base } },
      },
    }),
  },
];
