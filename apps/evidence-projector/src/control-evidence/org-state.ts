/**
 * The input of the evidence rules: one organization as the read models know it
 * at the end of a completed identity sync. The Mongo layer builds it; the rules
 * below are pure functions of it (no clock, no I/O).
 */

/** A per-user sub-resource that may not have been readable. `unknown` is never "none". */
export type UserFactorsState =
  { status: 'read'; items: OrgFactor[] } | { status: 'unknown'; reason: string };

export interface OrgFactor {
  id: string;
  factorType: string;
  /** Okta factor status; only `ACTIVE` counts as enrolled MFA. */
  status: string;
  provider?: string | null;
}

export interface OrgRole {
  /** Okta role type (`SUPER_ADMIN`, `ORG_ADMIN`, …, `CUSTOM`). */
  type: string;
  label?: string | null;
  /** `USER` (direct) or `GROUP` (through a group). Missing is read as direct. */
  assignmentType?: string | null;
}

/**
 * `none`: the user is not among Okta's role assignees (no roles call was made).
 * `unknown`: the roles could not be read.
 */
export type UserRolesState =
  { status: 'read'; items: OrgRole[] } | { status: 'unknown'; reason: string } | { status: 'none' };

export interface OrgAppAssignment {
  appId: string;
  /** `USER` (direct) or `GROUP` (through a group assignment). */
  scope: 'USER' | 'GROUP' | string;
  status?: string | null;
}

export interface OrgUserState {
  id: string;
  login: string | null;
  email: string | null;
  /** Okta user status. */
  status: string;
  created: string | null;
  activated: string | null;
  statusChanged: string | null;
  lastLogin: string | null;
  /** When known: statusChanged of a DEPROVISIONED user, or a lifecycle log event. */
  deactivatedAt: string | null;
  factors: UserFactorsState;
  /** From the group member lists that were read. */
  groupIds: string[];
  appAssignments: OrgAppAssignment[];
  roles: UserRolesState;
}

export interface OrgGroupState {
  id: string;
  name: string | null;
  /** `OKTA_GROUP | APP_GROUP | BUILT_IN` (Everyone). */
  type: string;
  /** null = the member list could not be read. */
  memberCount: number | null;
  /** Admin role types held by the group. */
  roles: string[];
}

export interface OrgAppState {
  id: string;
  label: string | null;
  name: string | null;
  status: string;
  /** null = unknown. */
  userAssignmentCount: number | null;
  /** Groups assigned to the app. */
  groupIds: string[];
  /** false when the app's user or group assignments could not be read. */
  assignmentsKnown: boolean;
}

/** One System Log event, reduced to what the rules read. */
export interface LogFact {
  uuid: string;
  published: string;
  eventType: string;
  actorId: string | null;
  /** `outcome.result`: SUCCESS, FAILURE, … */
  outcome: string | null;
  targetIds: string[];
  /**
   * `authenticationContext.externalSessionId` (optional refinement: lets a
   * sign-in be matched to its MFA verification exactly). `unknown` is ignored.
   */
  sessionId?: string | null;
  /** `transaction.id` (optional refinement, same purpose). */
  transactionId?: string | null;
}

/**
 * System Log facts, deduped by uuid. Pass at least the last 90 days before
 * `asOf` (provisioning reads 90 days of lifecycle events, authentication 30
 * days of sign-ins). Events published after `asOf` are ignored.
 */
export interface SignInFacts {
  events: LogFact[];
}

export interface DatasetCoverage {
  read: number;
  failed: number;
}

export interface OrgState {
  orgId: string;
  syncId: string;
  /** ISO-8601: completion time of the sync. Every time window is relative to it. */
  asOf: string;
  users: OrgUserState[];
  groups: OrgGroupState[];
  apps: OrgAppState[];
  logs: SignInFacts;
  /**
   * Per-dataset completeness from IdentitySyncCompleted (`factors`, `userRoles`,
   * `roleAssignees`, `groupMembers`, `groupRoles`, `appUsers`, `appGroups`; the
   * caller may add `systemLog`).
   */
  coverage: Record<string, DatasetCoverage>;
}
