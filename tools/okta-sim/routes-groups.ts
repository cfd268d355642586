import { oktaErrors } from './errors';
import { SimGroup } from './model';
import { appJson, groupJson, roleJson, userJson } from './okta-json';
import { buildUrl, decodeIdCursor, nextParams, pageSorted, parseLimit } from './pagination';
import { ApiResult, RouteContext, RouteDef } from './route';
import { compileFilter, FilterError, FilterOp, tableSchema } from './scim-filter';

const EQ: readonly FilterOp[] = ['eq'];
const DATE_OPS: readonly FilterOp[] = ['eq', 'gt', 'ge', 'lt', 'le'];

/** `filter` on /groups: type, id, lastUpdated, lastMembershipUpdated. */
const GROUP_FILTER = tableSchema<SimGroup>({
  type: { kind: 'string', ops: EQ, get: (g) => g.type },
  id: { kind: 'string', ops: EQ, get: (g) => g.id },
  lastUpdated: { kind: 'date', ops: DATE_OPS, get: (g) => g.lastUpdated },
  lastMembershipUpdated: { kind: 'date', ops: DATE_OPS, get: (g) => g.lastMembershipUpdated },
});

const GROUP_SEARCH = tableSchema<SimGroup>({
  type: { kind: 'string', ops: ['eq', 'ne'], get: (g) => g.type },
  id: { kind: 'string', ops: ['eq', 'ne'], get: (g) => g.id },
  'profile.name': { kind: 'caseless', ops: ['eq', 'sw', 'co'], get: (g) => g.name },
  'profile.description': { kind: 'caseless', ops: ['eq', 'sw', 'co'], get: (g) => g.description },
  created: { kind: 'date', ops: DATE_OPS, get: (g) => g.created },
  lastUpdated: { kind: 'date', ops: DATE_OPS, get: (g) => g.lastUpdated },
  lastMembershipUpdated: { kind: 'date', ops: DATE_OPS, get: (g) => g.lastMembershipUpdated },
});

function groupPredicate(ctx: RouteContext): (group: SimGroup) => boolean {
  const filter = ctx.query.get('filter');
  const search = ctx.query.get('search');
  const q = ctx.query.get('q');
  try {
    if (filter !== null && search !== null)
      throw new FilterError('filter and search cannot be combined');
    if (filter !== null) return compileFilter(filter, GROUP_FILTER);
    if (search !== null) return compileFilter(search, GROUP_SEARCH);
  } catch (error) {
    if (error instanceof FilterError)
      throw oktaErrors.badQuery(`${filter !== null ? 'filter' : 'search'}: ${error.message}`);
    throw error;
  }
  if (q !== null) return (g) => g.name.toLowerCase().startsWith(q.toLowerCase());
  return () => true;
}

function findGroup(ctx: RouteContext): SimGroup {
  const group = ctx.org.group(ctx.params.id ?? '');
  if (!group) throw oktaErrors.notFound(`${ctx.params.id ?? ''} (UserGroup)`);
  return group;
}

function appsOfGroup(ctx: RouteContext, group: SimGroup) {
  return ctx.org.apps.filter((app) => app.groups.some((a) => a.groupId === group.id));
}

function listGroups(ctx: RouteContext): ApiResult {
  const limit = parseLimit(ctx.query.get('limit'), 10000, 10000);
  const after = decodeIdCursor(ctx.query.get('after'));
  const page = pageSorted(ctx.org.groups, (g) => g.id, after, limit, groupPredicate(ctx));
  const stats = (ctx.query.get('expand') ?? '').split(',').includes('stats');
  const next = page.nextAfter
    ? buildUrl(
        ctx.base,
        ctx.path,
        nextParams(ctx.query, ['filter', 'search', 'q', 'expand'], page.nextAfter, limit),
      )
    : null;
  const body = page.items.map((g) =>
    groupJson(g, ctx.base, stats ? { apps: appsOfGroup(ctx, g).length } : null),
  );
  return { status: 200, body, paging: { next } };
}

function listMembers(ctx: RouteContext): ApiResult {
  const group = findGroup(ctx);
  const limit = parseLimit(ctx.query.get('limit'), 1000, 1000);
  const after = decodeIdCursor(ctx.query.get('after'));
  const page = pageSorted(group.memberIds, (id) => id, after, limit);
  const next = page.nextAfter
    ? buildUrl(ctx.base, ctx.path, nextParams(ctx.query, [], page.nextAfter, limit))
    : null;
  const body = page.items.flatMap((id) => {
    const user = ctx.org.user(id);
    return user ? [userJson(ctx.org, user, ctx.base)] : [];
  });
  return { status: 200, body, paging: { next } };
}

function listGroupApps(ctx: RouteContext): ApiResult {
  const group = findGroup(ctx);
  const limit = parseLimit(ctx.query.get('limit'), 20, 200);
  const after = decodeIdCursor(ctx.query.get('after'));
  const page = pageSorted(appsOfGroup(ctx, group), (a) => a.id, after, limit);
  const next = page.nextAfter
    ? buildUrl(ctx.base, ctx.path, nextParams(ctx.query, [], page.nextAfter, limit))
    : null;
  return {
    status: 200,
    body: page.items.map((a) => appJson(ctx.org, a, ctx.base)),
    paging: { next },
  };
}

export const groupRoutes: RouteDef[] = [
  { method: 'GET', template: '/api/v1/groups', bucket: 'groups', auth: true, handle: listGroups },
  {
    // Okta meters GET /groups/{id} outside the groups bucket (docs/okta.md)
    method: 'GET',
    template: '/api/v1/groups/{id}',
    bucket: 'other',
    auth: true,
    handle: (ctx) => {
      const group = findGroup(ctx);
      const stats = (ctx.query.get('expand') ?? '').split(',').includes('stats');
      return {
        status: 200,
        body: groupJson(group, ctx.base, stats ? { apps: appsOfGroup(ctx, group).length } : null),
      };
    },
  },
  {
    method: 'GET',
    template: '/api/v1/groups/{id}/users',
    bucket: 'groups',
    auth: true,
    handle: listMembers,
  },
  {
    method: 'GET',
    template: '/api/v1/groups/{id}/roles',
    bucket: 'groups',
    auth: true,
    handle: (ctx) => {
      const group = findGroup(ctx);
      const assignee = `${ctx.base}/api/v1/groups/${group.id}`;
      return { status: 200, body: group.roles.map((role) => roleJson(role, 'GROUP', assignee)) };
    },
  },
  {
    method: 'GET',
    template: '/api/v1/groups/{id}/apps',
    bucket: 'groups',
    auth: true,
    handle: listGroupApps,
  },
];
