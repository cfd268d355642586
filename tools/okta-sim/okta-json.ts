/**
 * Okta wire shapes, rendered from the model on each request (never cached as
 * strings). `base` is the org URL the client called, used in `_links`.
 */
import { SimApp, SimFactor, SimGroup, SimOrg, SimRoleAssignment, SimUser } from './model';
import { customUserProfile, mappedAppProfile } from './realistic-size';

type Json = Record<string, unknown>;

const href = (url: string) => ({ href: url });

function userLinks(user: SimUser, base: string, typeId: string): Json {
  const self = `${base}/api/v1/users/${user.id}`;
  const links: Json = { self: href(self) };
  const lifecycle = (op: string) => ({ href: `${self}/lifecycle/${op}`, method: 'POST' });
  if (user.status === 'DEPROVISIONED') return { ...links, activate: lifecycle('activate') };
  if (user.status === 'STAGED' || user.status === 'PROVISIONED')
    links.activate = lifecycle('activate');
  if (user.status === 'SUSPENDED') links.unsuspend = lifecycle('unsuspend');
  else if (user.status !== 'STAGED') links.suspend = lifecycle('suspend');
  if (user.status === 'LOCKED_OUT') links.unlock = lifecycle('unlock');
  links.resetPassword = lifecycle('reset_password');
  links.resetFactors = lifecycle('reset_factors');
  links.deactivate = lifecycle('deactivate');
  links.type = href(`${base}/api/v1/meta/types/user/${typeId}`);
  return links;
}

export function userJson(org: SimOrg, user: SimUser, base: string): Json {
  const credentials: Json = { provider: { type: user.provider.type, name: user.provider.name } };
  if (user.status !== 'STAGED' && user.provider.type === 'OKTA') {
    credentials.password = {};
    credentials.emails = [{ value: user.profile.email, status: 'VERIFIED', type: 'PRIMARY' }];
  }
  return {
    id: user.id,
    status: user.status,
    created: user.created,
    activated: user.activated,
    statusChanged: user.statusChanged,
    lastLogin: user.lastLogin,
    lastUpdated: user.lastUpdated,
    passwordChanged: user.passwordChanged,
    type: { id: org.userTypeId },
    profile: {
      ...user.profile,
      mobilePhone: null,
      secondEmail: null,
      ...(org.objectSize === 'realistic' ? customUserProfile(user.id) : {}),
    },
    credentials,
    _links: userLinks(user, base, org.userTypeId),
  };
}

export function factorJson(user: SimUser, factor: SimFactor, base: string): Json {
  const self = `${base}/api/v1/users/${user.id}/factors/${factor.id}`;
  const links: Json = { self: href(self), user: href(`${base}/api/v1/users/${user.id}`) };
  if (factor.status === 'ACTIVE')
    links.verify = { href: `${self}/verify`, hints: { allow: ['POST'] } };
  if (factor.status === 'PENDING_ACTIVATION') {
    links.activate = { href: `${self}/lifecycle/activate`, hints: { allow: ['POST'] } };
  }
  return {
    id: factor.id,
    factorType: factor.factorType,
    provider: factor.provider,
    vendorName: factor.vendorName,
    status: factor.status,
    created: factor.created,
    lastUpdated: factor.lastUpdated,
    profile: factor.profile,
    _links: links,
  };
}

export function roleJson(
  role: SimRoleAssignment,
  assignmentType: 'USER' | 'GROUP',
  assignee: string,
): Json {
  return {
    id: role.id,
    label: role.label,
    type: role.type,
    status: role.status,
    created: role.created,
    lastUpdated: role.lastUpdated,
    assignmentType,
    _links: { assignee: href(assignee) },
  };
}

export function groupJson(group: SimGroup, base: string, stats: { apps: number } | null): Json {
  const self = `${base}/api/v1/groups/${group.id}`;
  const links: Json = {
    logo: [
      {
        name: 'medium',
        href: 'https://ok12static.oktacdn.com/assets/img/logos/groups/okta-medium.png',
        type: 'image/png',
      },
      {
        name: 'large',
        href: 'https://ok12static.oktacdn.com/assets/img/logos/groups/okta-large.png',
        type: 'image/png',
      },
    ],
    users: href(`${self}/users`),
    apps: href(`${self}/apps`),
  };
  if (group.sourceAppId) links.source = href(`${base}/api/v1/apps/${group.sourceAppId}`);
  const json: Json = {
    id: group.id,
    created: group.created,
    lastUpdated: group.lastUpdated,
    lastMembershipUpdated: group.lastMembershipUpdated,
    objectClass: group.objectClass,
    type: group.type,
    profile: { name: group.name, description: group.description, ...group.extraProfile },
    _links: links,
  };
  if (stats) {
    json._embedded = {
      stats: {
        usersCount: group.memberIds.length,
        appsCount: stats.apps,
        groupPushMappingsCount: 0,
        hasAdminPrivilege: group.roles.length > 0,
      },
    };
  }
  return json;
}

export function appJson(org: SimOrg, app: SimApp, base: string): Json {
  const self = `${base}/api/v1/apps/${app.id}`;
  return {
    id: app.id,
    orn: `orn:okta:idp:${org.id}:apps:${app.name}:${app.id}`,
    name: app.name,
    label: app.label,
    status: app.status,
    lastUpdated: app.lastUpdated,
    created: app.created,
    accessibility: { selfService: false, errorRedirectUrl: null, loginRedirectUrl: null },
    visibility: {
      autoSubmitToolbar: false,
      hide: { iOS: false, web: false },
      appLinks: { [`${app.name}_link`]: true },
    },
    features: [],
    signOnMode: app.signOnMode,
    credentials: {
      userNameTemplate: { template: '${source.login}', type: 'BUILT_IN' },
      signing: {},
    },
    settings: { app: {}, notifications: { vpn: { network: { connection: 'DISABLED' } } } },
    _links: {
      self: href(self),
      users: href(`${self}/users`),
      groups: href(`${self}/groups`),
      [app.status === 'ACTIVE' ? 'deactivate' : 'activate']: href(
        `${self}/lifecycle/${app.status === 'ACTIVE' ? 'deactivate' : 'activate'}`,
      ),
    },
  };
}

export interface AppAssignment {
  userId: string;
  scope: 'USER' | 'GROUP';
  /** The group that grants it (scope GROUP). */
  groupId: string | null;
  created: string;
}

export function appUserJson(
  org: SimOrg,
  app: SimApp,
  assignment: AppAssignment,
  user: SimUser,
  base: string,
): Json {
  const links: Json = {
    app: href(`${base}/api/v1/apps/${app.id}`),
    user: href(`${base}/api/v1/users/${user.id}`),
  };
  const group = assignment.groupId ? org.group(assignment.groupId) : undefined;
  if (group) links.group = { name: group.name, href: `${base}/api/v1/groups/${group.id}` };
  return {
    id: user.id,
    externalId: null,
    created: assignment.created,
    lastUpdated: assignment.created,
    scope: assignment.scope,
    status: 'ACTIVE',
    statusChanged: assignment.created,
    passwordChanged: null,
    syncState: 'DISABLED',
    credentials: { userName: user.profile.login },
    profile:
      org.objectSize === 'realistic' ? mappedAppProfile(app.id, user.id, user.profile.login) : {},
    _links: links,
  };
}

export function appGroupJson(
  app: SimApp,
  assignment: SimApp['groups'][number],
  base: string,
): Json {
  return {
    id: assignment.groupId,
    lastUpdated: assignment.created,
    priority: assignment.priority,
    profile: {},
    _links: {
      app: href(`${base}/api/v1/apps/${app.id}`),
      group: href(`${base}/api/v1/groups/${assignment.groupId}`),
    },
  };
}
