/** Page sizes (`limit`) per list; defaults per docs/okta.md, clamped to Okta's caps. */
export interface OktaPageLimits {
  users: number;
  groups: number;
  groupMembers: number;
  apps: number;
  appUsers: number;
  appGroups: number;
  roleAssignees: number;
}

export const DEFAULT_PAGE_LIMITS: Readonly<OktaPageLimits> = {
  users: 200,
  groups: 200,
  groupMembers: 200,
  apps: 200,
  appUsers: 500,
  appGroups: 200,
  roleAssignees: 100,
};

export const PAGE_LIMIT_CAPS: Readonly<OktaPageLimits> = {
  users: 200,
  groups: 10_000,
  groupMembers: 1000,
  apps: 200,
  appUsers: 500,
  appGroups: 200,
  roleAssignees: 100,
};
