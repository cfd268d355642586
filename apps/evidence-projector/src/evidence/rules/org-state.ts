/**
 * The input of the evidence rules: one organization as the read models know it
 * at the end of a completed identity sync. The Mongo layer builds it; the rules
 * below are pure functions of it (no clock, no I/O). Its entities are picks of
 * the read-model documents (declared once, in directory/ and log-facts/).
 */
import type { OktaAppDocument } from '../../directory/okta-app.document';
import type { OktaGroupDocument } from '../../directory/okta-group.document';
import type {
  OktaUserDocument,
  UserAppAssignment,
  UserFactor,
  UserFactors,
  UserRole,
  UserRoles,
} from '../../directory/okta-user.document';
import type { LogFact } from '../../log-facts/log-event.document';
import type { LogFigures } from '../../log-facts/log-figures';
import type { LogGap, SystemLogCoverage } from '../../log-facts/log-coverage';

/** The user fields the rules read: a pick of the `okta_users` document, never a copy of it. */
export const ORG_USER_FIELDS = [
  'id',
  'login',
  'email',
  'status',
  'created',
  'activated',
  'statusChanged',
  'lastLogin',
  'deactivatedAt',
  'factors',
  'groupIds',
  'appAssignments',
  'adminRoles',
] as const satisfies ReadonlyArray<keyof OktaUserDocument>;
export type OrgUserState = Pick<OktaUserDocument, (typeof ORG_USER_FIELDS)[number]>;

/**
 * The fields the rules read of a user the directory marked removed (an
 * `okta_users` document with `removed: true`: deleted in Okta, seen gone by
 * a completed sync).
 */
export const ORG_REMOVED_USER_FIELDS = [
  'id',
  'login',
  'email',
  'status',
  'removedAt',
  'removedBySyncId',
] as const satisfies ReadonlyArray<keyof OktaUserDocument>;
export type OrgRemovedUserState = Pick<OktaUserDocument, (typeof ORG_REMOVED_USER_FIELDS)[number]>;

/** The group fields the rules read (of the `okta_groups` document). */
export const ORG_GROUP_FIELDS = [
  'id',
  'name',
  'type',
  'memberCount',
  'roles',
] as const satisfies ReadonlyArray<keyof OktaGroupDocument>;
export type OrgGroupState = Pick<OktaGroupDocument, (typeof ORG_GROUP_FIELDS)[number]>;

/** The app fields the rules read (of the `okta_apps` document). */
export const ORG_APP_FIELDS = [
  'id',
  'label',
  'name',
  'status',
  'userAssignmentCount',
  'groupIds',
  'assignmentsKnown',
] as const satisfies ReadonlyArray<keyof OktaAppDocument>;
export type OrgAppState = Pick<OktaAppDocument, (typeof ORG_APP_FIELDS)[number]>;

export type {
  LogFact,
  LogGap,
  SystemLogCoverage,
  LogFigures,
  UserAppAssignment,
  UserFactor,
  UserFactors,
  UserRole,
  UserRoles,
};

/**
 * System Log facts, deduped by uuid: either the facts themselves — at least
 * the last 90 days before `asOf` (provisioning reads 90 days of lifecycle
 * events, authentication 30 days of sign-ins); events published after `asOf`
 * are ignored — or the same facts already folded into figures for the
 * sign-in window [asOf − 30 days, asOf] (`foldLogWindow` in log-facts/, which
 * never holds the whole window).
 */
export interface SignInFacts {
  /** Empty when `figures` is given. */
  events: LogFact[];
  figures?: LogFigures;
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
  /**
   * Users the directory marked removed, at least those removed in the 90
   * days before `asOf` (absent: none; optional for hand-built inputs).
   */
  removedUsers?: OrgRemovedUserState[];
  groups: OrgGroupState[];
  apps: OrgAppState[];
  logs: SignInFacts;
  /**
   * Per-dataset completeness from IdentitySyncCompleted (`users`, `groups`,
   * `apps`, `factors`, `userRoles`, `roleAssignees`, `groupMembers`,
   * `groupRoles`, `appUsers`, `appGroups`). A dataset a control lists that has
   * no entry here is unknown: the control is incomplete (docs/read-models.md,
   * "Complete, and why not").
   */
  coverage: Record<string, DatasetCoverage>;
  /** The System Log's coverage as of `asOf`; absent: unknown (controls that read the log are incomplete). */
  systemLog?: SystemLogCoverage;
}
