import { SimApp, SimGroup, SimOrg, SimRoleAssignment, SimUser } from './model';
import { APP_CATALOG, AppTemplate, DEPARTMENTS, GROUP_STEMS, ROLE_LABELS } from './org-catalog';
import { Prng, uniqueId } from './prng';
import { DAY_MS, iso, MINUTE_MS } from './time';
import { generateUsers, UserGenContext } from './user-generator';

export interface GenerateOrgInput {
  seed: number;
  users: number;
  groups: number;
  apps: number;
  /** Every generated timestamp is an offset back from this instant. */
  anchorMs: number;
  tokenOwnerRole: string;
}

interface OrgGenContext extends UserGenContext {
  ownerRole: string;
}

export interface GeneratedOrg {
  org: SimOrg;
  /** Every id handed out so far; mutations draw new ids against it. */
  ids: Set<string>;
}

function groupNames(count: number): string[] {
  const names: string[] = [...DEPARTMENTS, ...GROUP_STEMS];
  for (let n = 2; names.length < count; n++) {
    for (const stem of [...DEPARTMENTS, ...GROUP_STEMS]) names.push(`${stem} ${n}`);
  }
  return names.slice(0, count);
}

function makeGroup(
  ctx: UserGenContext,
  name: string,
  type: SimGroup['type'],
  description: string,
): SimGroup {
  const { prng, anchorMs } = ctx;
  const created = anchorMs - prng.between(200 * DAY_MS, 2000 * DAY_MS);
  const lastUpdated = prng.between(created, anchorMs - 30 * DAY_MS);
  return {
    id: uniqueId(prng, '00g', ctx.ids),
    type,
    name,
    description,
    created: iso(created),
    lastUpdated: iso(lastUpdated),
    lastMembershipUpdated: iso(anchorMs - prng.between(MINUTE_MS * 5, 30 * DAY_MS)),
    objectClass: type === 'APP_GROUP' ? ['okta:windows_security_principal'] : ['okta:user_group'],
    extraProfile: {},
    sourceAppId: null,
    memberIds: [],
    members: new Set<string>(),
    roles: [],
  };
}

function generateGroups(ctx: UserGenContext, count: number, users: SimUser[]): SimGroup[] {
  const { prng } = ctx;
  const everyone = makeGroup(ctx, 'Everyone', 'BUILT_IN', 'All users in your organization');
  const names = groupNames(Math.max(0, count - 1));
  const appGroupCount = count >= 4 ? Math.max(1, Math.round((count - 1) * 0.15)) : 0;
  const groups = names.map((name, index) => {
    const isAppGroup = index >= names.length - appGroupCount;
    if (!isAppGroup) return makeGroup(ctx, name, 'OKTA_GROUP', `${name} (managed in Okta)`);
    const samAccountName = `SG-${name.replace(/[^A-Za-z0-9]+/g, '-')}`;
    const group = makeGroup(
      ctx,
      samAccountName,
      'APP_GROUP',
      `Imported from Active Directory: ${name}`,
    );
    group.extraProfile = {
      samAccountName,
      dn: `CN=${samAccountName},OU=Groups,DC=corp,DC=example,DC=local`,
      windowsDomainQualifiedName: `CORP\\${samAccountName}`,
      externalId: prng.hex(24),
    };
    return group;
  });
  const byDepartment = new Map(
    groups.filter((g) => g.type === 'OKTA_GROUP').map((g) => [g.name, g]),
  );
  const others = groups.filter(
    (group) => !DEPARTMENTS.includes(group.name as (typeof DEPARTMENTS)[number]),
  );
  for (const user of users) {
    everyone.members.add(user.id);
    const departmentGroup = byDepartment.get(user.profile.department);
    if (departmentGroup && prng.chance(0.9)) departmentGroup.members.add(user.id);
    if (others.length === 0) continue;
    const extra = prng.weighted<number>([
      [0, 30],
      [1, 40],
      [2, 20],
      [3, 10],
    ]);
    for (const group of prng.sample(others, extra)) group.members.add(user.id);
  }
  const all = [everyone, ...groups];
  for (const group of all) group.memberIds = [...group.members].sort();
  return all;
}

function appTemplates(prng: Prng, count: number): AppTemplate[] {
  const templates = prng.shuffle([...APP_CATALOG]).slice(0, count);
  for (let n = templates.length + 1; templates.length < count; n++) {
    templates.push({
      name: `acme_internalapp${n}_1`,
      label: `Internal App ${n}`,
      signOnMode: 'SAML_2_0',
    });
  }
  return templates;
}

function generateApps(
  ctx: UserGenContext,
  count: number,
  users: SimUser[],
  groups: SimGroup[],
): SimApp[] {
  const { prng, anchorMs } = ctx;
  const everyone = groups[0];
  const assignable = groups.slice(1);
  const deprovisioned = users.filter((user) => user.status === 'DEPROVISIONED');
  const directCap = Math.max(2, Math.min(150, Math.round(users.length * 0.08)));
  const apps = appTemplates(prng, count).map((template, index): SimApp => {
    const created = anchorMs - prng.between(30 * DAY_MS, 1500 * DAY_MS);
    const inactive = index > 0 && (prng.chance(0.12) || (count >= 3 && index === count - 1));
    const app: SimApp = {
      id: uniqueId(prng, '0oa', ctx.ids),
      name: template.name,
      label: template.label,
      status: inactive ? 'INACTIVE' : 'ACTIVE',
      signOnMode: template.signOnMode,
      created: iso(created),
      lastUpdated: iso(prng.between(created, anchorMs - DAY_MS)),
      directUsers: new Map(),
      groups: [],
    };
    const assignedAt = (since: string): string =>
      iso(prng.between(Math.max(created, Date.parse(since)), anchorMs - MINUTE_MS));
    // the first app goes to Everyone: every user reaches it through a group
    const assignedGroups =
      index === 0 && everyone ? [everyone] : prng.sample(assignable, prng.int(0, 3));
    assignedGroups.forEach((group, priority) =>
      app.groups.push({ groupId: group.id, priority, created: assignedAt(group.created) }),
    );
    for (const user of prng.sample(users, prng.int(1, directCap))) {
      app.directUsers.set(user.id, assignedAt(user.created));
    }
    // deprovisioned users still assigned: the audit exception a review must catch
    if (deprovisioned.length > 0 && (index === Math.min(1, count - 1) || prng.chance(0.4))) {
      const user = prng.pick(deprovisioned);
      app.directUsers.set(user.id, assignedAt(user.created));
    }
    return app;
  });
  const firstAppGroups = apps[0];
  const appGroups = groups.filter((group) => group.type === 'APP_GROUP');
  if (firstAppGroups) for (const group of appGroups) group.sourceAppId = firstAppGroups.id;
  return apps;
}

function role(ctx: OrgGenContext, type: string, notBefore: string | null): SimRoleAssignment {
  const { prng, anchorMs } = ctx;
  const from = Math.max(notBefore ? Date.parse(notBefore) : 0, anchorMs - 700 * DAY_MS);
  // some grants are recent, so the System Log shows user.account.privilege.grant
  const created = prng.chance(0.15)
    ? Math.max(from, anchorMs - prng.between(MINUTE_MS, 6 * DAY_MS))
    : prng.between(from, anchorMs - MINUTE_MS);
  return {
    id: uniqueId(prng, 'ra1', ctx.ids),
    type,
    label: ROLE_LABELS[type] ?? type,
    status: 'ACTIVE',
    created: iso(created),
    lastUpdated: iso(created),
  };
}

/** A handful of admins per role (more in big orgs), one group-held role, one ex-admin. */
function assignRoles(
  ctx: OrgGenContext,
  users: SimUser[],
  groups: SimGroup[],
  owner: SimUser,
): void {
  const { prng } = ctx;
  const scale = Math.max(1, Math.round(users.length / 2000));
  const candidates = prng.shuffle(
    users.filter((user) => user.status === 'ACTIVE' && user !== owner),
  );
  const plan: Array<[string, number]> = [
    ['SUPER_ADMIN', prng.int(1, 2) * scale],
    ['ORG_ADMIN', prng.int(1, 3) * scale],
    ['APP_ADMIN', prng.int(2, 4) * scale],
    ['READ_ONLY_ADMIN', prng.int(1, 2) * scale],
    ['HELP_DESK_ADMIN', prng.int(2, 4) * scale],
  ];
  owner.roles.push(role(ctx, ctx.ownerRole, owner.activated));
  let next = 0;
  for (const [type, count] of plan) {
    for (let i = 0; i < count && next < candidates.length; i++, next++) {
      const user = candidates[next] as SimUser;
      user.roles.push(role(ctx, type, user.activated));
      if (type === 'APP_ADMIN' && i === 0)
        user.roles.push(role(ctx, 'REPORT_ADMIN', user.activated));
    }
  }
  const exAdmin = users.find((user) => user.status === 'DEPROVISIONED');
  if (exAdmin) exAdmin.roles.push(role(ctx, 'SUPER_ADMIN', exAdmin.activated ?? exAdmin.created));
  const okta = groups.filter((group) => group.type === 'OKTA_GROUP' && group.memberIds.length > 0);
  const roleGroup = okta.find((group) => group.name === 'Help Desk') ?? okta[0];
  if (roleGroup) roleGroup.roles.push(role(ctx, 'HELP_DESK_ADMIN', roleGroup.created));
}

/** The API token's owner: an ACTIVE, MFA-enrolled integration account. */
function chooseTokenOwner(users: SimUser[], emailDomain: string): SimUser {
  const owner =
    users.find(
      (user) => user.status === 'ACTIVE' && user.factors.some((f) => f.status === 'ACTIVE'),
    ) ??
    users.find((user) => user.status === 'ACTIVE') ??
    users[0];
  if (!owner) throw new Error('an org needs at least one user');
  if (owner.status !== 'ACTIVE') owner.status = 'ACTIVE';
  const login = `regentra.integration@${emailDomain}`;
  const previous = owner.profile.login;
  for (const factor of owner.factors) {
    for (const [key, value] of Object.entries(factor.profile)) {
      if (value === previous) factor.profile[key] = login;
    }
  }
  Object.assign(owner.profile, {
    login,
    email: login,
    firstName: 'Regentra',
    lastName: 'Integration',
    department: 'IT',
  });
  return owner;
}

/** Builds the whole org from the seed; same input, same org, byte for byte. */
export function generateOrg(input: GenerateOrgInput): GeneratedOrg {
  const prng = new Prng(input.seed);
  const ids = new Set<string>();
  const emailDomain = `acme${input.seed}.example`;
  const ctx: OrgGenContext = {
    prng,
    ids,
    anchorMs: input.anchorMs,
    emailDomain,
    ownerRole: input.tokenOwnerRole,
  };
  const orgId = uniqueId(prng, '00o', ids);
  const userTypeId = uniqueId(prng, 'oty', ids);
  const users = generateUsers(ctx, Math.max(1, input.users));
  const owner = chooseTokenOwner(users, emailDomain);
  const groups = generateGroups(ctx, Math.max(1, input.groups), users);
  const apps = generateApps(ctx, Math.max(1, input.apps), users, groups);
  assignRoles(ctx, users, groups, owner);
  return { org: new SimOrg(orgId, emailDomain, userTypeId, users, groups, apps, owner.id), ids };
}
