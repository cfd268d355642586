import { OktaApiError, oktaErrors } from './errors';
import { SimOrg, SimUser } from './model';
import { factorJson, roleJson, userJson, groupJson } from './okta-json';
import { buildUrl, decodeIdCursor, nextParams, pageSorted, parseLimit } from './pagination';
import { ApiResult, RouteContext, RouteDef } from './route';
import { AttributeSpec, compileFilter, FilterError, FilterOp, tableSchema } from './scim-filter';

const EQ: readonly FilterOp[] = ['eq'];
const DATE_OPS: readonly FilterOp[] = ['eq', 'gt', 'ge', 'lt', 'le'];
const SEARCH_OPS: readonly FilterOp[] = ['eq', 'ne', 'sw', 'co', 'gt', 'ge', 'lt', 'le', 'pr'];

function attr(
  kind: AttributeSpec<SimUser>['kind'],
  ops: readonly FilterOp[],
  get: AttributeSpec<SimUser>['get'],
): AttributeSpec<SimUser> {
  return { kind, ops, get };
}

/** `filter` on /users: a few attributes, `eq` only except lastUpdated. */
const USER_FILTER = tableSchema<SimUser>({
  status: attr('string', EQ, (u) => u.status),
  id: attr('string', EQ, (u) => u.id),
  lastUpdated: attr('date', DATE_OPS, (u) => u.lastUpdated),
  'profile.login': attr('caseless', EQ, (u) => u.profile.login),
  'profile.email': attr('caseless', EQ, (u) => u.profile.email),
  'profile.firstName': attr('caseless', EQ, (u) => u.profile.firstName),
  'profile.lastName': attr('caseless', EQ, (u) => u.profile.lastName),
});

const SEARCH_DATES: Record<string, (u: SimUser) => string | null> = {
  created: (u) => u.created,
  activated: (u) => u.activated,
  statusChanged: (u) => u.statusChanged,
  lastUpdated: (u) => u.lastUpdated,
  lastLogin: (u) => u.lastLogin,
  passwordChanged: (u) => u.passwordChanged,
};

/** `search`: any profile attribute plus status, id and the timestamps. */
function userSearchSchema(attribute: string): AttributeSpec<SimUser> | undefined {
  if (attribute === 'status' || attribute === 'id') {
    return attr('string', SEARCH_OPS, (u) => (attribute === 'id' ? u.id : u.status));
  }
  const date = SEARCH_DATES[attribute];
  if (date) return attr('date', SEARCH_OPS, date);
  if (attribute.startsWith('profile.')) {
    const key = attribute.slice('profile.'.length);
    return attr('caseless', SEARCH_OPS, (u) => u.profile[key]);
  }
  return undefined;
}

function compileOr400<T>(
  param: string,
  text: string,
  schema: (a: string) => AttributeSpec<T> | undefined,
) {
  try {
    return compileFilter(text, schema);
  } catch (error) {
    if (error instanceof FilterError) throw oktaErrors.badQuery(`${param}: ${error.message}`);
    throw error;
  }
}

/** Which users a list request selects; the plain list hides DEPROVISIONED users. */
function userPredicate(query: URLSearchParams): (user: SimUser) => boolean {
  const filter = query.get('filter');
  const search = query.get('search');
  const q = query.get('q');
  if (filter !== null && search !== null)
    throw oktaErrors.badQuery('filter and search cannot be combined');
  if (filter !== null) return compileOr400('filter', filter, USER_FILTER);
  if (search !== null) return compileOr400('search', search, userSearchSchema);
  if (q !== null) {
    const needle = q.toLowerCase();
    return (u) =>
      u.status !== 'DEPROVISIONED' &&
      [u.profile.firstName, u.profile.lastName, u.profile.email, u.profile.login].some((v) =>
        v.toLowerCase().startsWith(needle),
      );
  }
  return (u) => u.status !== 'DEPROVISIONED';
}

function listUsers(ctx: RouteContext): ApiResult {
  const limit = parseLimit(ctx.query.get('limit'), 200, 200);
  const after = decodeIdCursor(ctx.query.get('after'));
  const page = pageSorted(ctx.org.users, (u) => u.id, after, limit, userPredicate(ctx.query));
  const next = page.nextAfter
    ? buildUrl(
        ctx.base,
        ctx.path,
        nextParams(
          ctx.query,
          ['filter', 'search', 'q', 'sortBy', 'sortOrder'],
          page.nextAfter,
          limit,
        ),
      )
    : null;
  return {
    status: 200,
    body: page.items.map((u) => userJson(ctx.org, u, ctx.base)),
    paging: { next },
  };
}

export function findUser(org: SimOrg, idOrLogin: string | undefined): SimUser {
  const user = idOrLogin === undefined ? undefined : org.userByIdOrLogin(idOrLogin);
  if (!user) throw oktaErrors.notFound(`${idOrLogin ?? ''} (User)`);
  return user;
}

/** Direct roles, then roles held by the user's groups (assignmentType GROUP). */
export function userRoles(ctx: RouteContext, user: SimUser): unknown[] {
  const assignee = `${ctx.base}/api/v1/users/${user.id}`;
  const roles = user.roles.map((role) => roleJson(role, 'USER', assignee));
  for (const group of ctx.org.roleGroups()) {
    if (!group.members.has(user.id)) continue;
    for (const role of group.roles)
      roles.push(roleJson(role, 'GROUP', `${ctx.base}/api/v1/groups/${group.id}`));
  }
  return roles;
}

export const userRoutes: RouteDef[] = [
  { method: 'GET', template: '/api/v1/users', bucket: 'users-list', auth: true, handle: listUsers },
  {
    method: 'GET',
    template: '/api/v1/users/me',
    bucket: 'user-get',
    auth: true,
    handle: (ctx) => ({ status: 200, body: userJson(ctx.org, ctx.org.tokenOwner(), ctx.base) }),
  },
  {
    method: 'GET',
    template: '/api/v1/users/{id}',
    bucket: 'user-get',
    auth: true,
    handle: (ctx) => ({
      status: 200,
      body: userJson(ctx.org, findUser(ctx.org, ctx.params.id), ctx.base),
    }),
  },
  {
    method: 'GET',
    template: '/api/v1/users/{id}/factors',
    bucket: 'other',
    auth: true,
    handle: (ctx) => {
      const user = findUser(ctx.org, ctx.params.id);
      return { status: 200, body: user.factors.map((f) => factorJson(user, f, ctx.base)) };
    },
  },
  {
    method: 'GET',
    template: '/api/v1/users/{id}/factors/{factorId}',
    bucket: 'other',
    auth: true,
    handle: (ctx) => {
      const user = findUser(ctx.org, ctx.params.id);
      const factor = user.factors.find((f) => f.id === ctx.params.factorId);
      if (!factor)
        throw new OktaApiError(
          404,
          'E0000007',
          `Not found: Resource not found: ${ctx.params.factorId} (UserFactor)`,
        );
      return { status: 200, body: factorJson(user, factor, ctx.base) };
    },
  },
  {
    method: 'GET',
    template: '/api/v1/users/{id}/roles',
    bucket: 'other',
    auth: true,
    handle: (ctx) => ({ status: 200, body: userRoles(ctx, findUser(ctx.org, ctx.params.id)) }),
  },
  {
    method: 'GET',
    template: '/api/v1/users/{id}/groups',
    bucket: 'other',
    auth: true,
    handle: (ctx) => {
      const user = findUser(ctx.org, ctx.params.id);
      const groups = ctx.org.groups.filter((g) => g.members.has(user.id));
      return { status: 200, body: groups.map((g) => groupJson(g, ctx.base, null)) };
    },
  },
];
