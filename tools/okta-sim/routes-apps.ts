import { oktaErrors } from './errors';
import { SimApp } from './model';
import { appGroupJson, appJson, appUserJson } from './okta-json';
import { buildUrl, decodeIdCursor, nextParams, pageSorted, parseLimit } from './pagination';
import { ApiResult, RouteContext, RouteDef } from './route';
import { compileFilter, FilterError, FilterOp, tableSchema } from './scim-filter';

const EQ: readonly FilterOp[] = ['eq'];

function appPredicate(ctx: RouteContext): (app: SimApp) => boolean {
  const schema = tableSchema<SimApp>({
    status: { kind: 'string', ops: EQ, get: (a) => a.status },
    name: { kind: 'string', ops: EQ, get: (a) => a.name },
    'user.id': {
      kind: 'string',
      ops: EQ,
      get: (a) => ctx.assignments.forApp(a).map((x) => x.userId),
    },
    'group.id': { kind: 'string', ops: EQ, get: (a) => a.groups.map((g) => g.groupId) },
  });
  const filter = ctx.query.get('filter');
  const q = ctx.query.get('q');
  if (filter !== null) {
    try {
      return compileFilter(filter, schema);
    } catch (error) {
      if (error instanceof FilterError) throw oktaErrors.badQuery(`filter: ${error.message}`);
      throw error;
    }
  }
  if (q !== null) {
    const needle = q.toLowerCase();
    return (a) =>
      a.label.toLowerCase().startsWith(needle) || a.name.toLowerCase().startsWith(needle);
  }
  return () => true;
}

function findApp(ctx: RouteContext): SimApp {
  const app = ctx.org.app(ctx.params.id ?? '');
  if (!app) throw oktaErrors.notFound(`${ctx.params.id ?? ''} (AppInstance)`);
  return app;
}

function listApps(ctx: RouteContext): ApiResult {
  const limit = parseLimit(ctx.query.get('limit'), 20, 200);
  const after = decodeIdCursor(ctx.query.get('after'));
  const page = pageSorted(ctx.org.apps, (a) => a.id, after, limit, appPredicate(ctx));
  const next = page.nextAfter
    ? buildUrl(
        ctx.base,
        ctx.path,
        nextParams(ctx.query, ['filter', 'q', 'expand'], page.nextAfter, limit),
      )
    : null;
  return {
    status: 200,
    body: page.items.map((a) => appJson(ctx.org, a, ctx.base)),
    paging: { next },
  };
}

function listAppUsers(ctx: RouteContext): ApiResult {
  const app = findApp(ctx);
  const limit = parseLimit(ctx.query.get('limit'), 50, 500);
  const after = decodeIdCursor(ctx.query.get('after'));
  const page = pageSorted(ctx.assignments.forApp(app), (a) => a.userId, after, limit);
  const next = page.nextAfter
    ? buildUrl(ctx.base, ctx.path, nextParams(ctx.query, ['expand'], page.nextAfter, limit))
    : null;
  const body = page.items.flatMap((assignment) => {
    const user = ctx.org.user(assignment.userId);
    return user ? [appUserJson(ctx.org, app, assignment, user, ctx.base)] : [];
  });
  return { status: 200, body, paging: { next } };
}

function listAppGroups(ctx: RouteContext): ApiResult {
  const app = findApp(ctx);
  const limit = parseLimit(ctx.query.get('limit'), 20, 200);
  const after = decodeIdCursor(ctx.query.get('after'));
  const sorted = [...app.groups].sort((a, b) => (a.groupId < b.groupId ? -1 : 1));
  const page = pageSorted(sorted, (g) => g.groupId, after, limit);
  const next = page.nextAfter
    ? buildUrl(ctx.base, ctx.path, nextParams(ctx.query, ['expand'], page.nextAfter, limit))
    : null;
  return {
    status: 200,
    body: page.items.map((g) => appGroupJson(app, g, ctx.base)),
    paging: { next },
  };
}

export const appRoutes: RouteDef[] = [
  { method: 'GET', template: '/api/v1/apps', bucket: 'apps', auth: true, handle: listApps },
  {
    method: 'GET',
    template: '/api/v1/apps/{id}',
    bucket: 'apps',
    auth: true,
    handle: (ctx) => ({ status: 200, body: appJson(ctx.org, findApp(ctx), ctx.base) }),
  },
  {
    method: 'GET',
    template: '/api/v1/apps/{id}/users',
    bucket: 'apps',
    auth: true,
    handle: listAppUsers,
  },
  {
    method: 'GET',
    template: '/api/v1/apps/{id}/users/{userId}',
    bucket: 'apps',
    auth: true,
    handle: (ctx) => {
      const app = findApp(ctx);
      const user = ctx.org.userByIdOrLogin(ctx.params.userId ?? '');
      const assignment = user ? ctx.assignments.assignment(app, user.id) : undefined;
      if (!user || !assignment) throw oktaErrors.notFound(`${ctx.params.userId ?? ''} (AppUser)`);
      return { status: 200, body: appUserJson(ctx.org, app, assignment, user, ctx.base) };
    },
  },
  {
    method: 'GET',
    template: '/api/v1/apps/{id}/groups',
    bucket: 'apps',
    auth: true,
    handle: listAppGroups,
  },
];
