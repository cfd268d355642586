import type { DirectoryDocument } from './directory-document';

/** One MFA factor of a user, as read from Okta. */
export interface UserFactor {
  id: string;
  factorType: string;
  /** Okta factor status; only `ACTIVE` counts as enrolled MFA. */
  status: string;
  /** Always written (null when Okta had none); optional for hand-built evidence inputs. */
  provider?: string | null;
}

/** A per-user sub-resource that may not have been readable. `unknown` is never "none". */
export type UserFactors =
  { status: 'read'; items: UserFactor[] } | { status: 'unknown'; reason: string };

/** One admin role a user holds, directly or through a group. */
export interface UserRole {
  /** Okta role type (`SUPER_ADMIN`, `ORG_ADMIN`, …, `CUSTOM`). */
  type: string;
  /** Always written (null when Okta had none); optional for hand-built evidence inputs. */
  label?: string | null;
  /** `USER` (direct) or `GROUP` (through a group). Missing is read as direct. */
  assignmentType?: string | null;
}

/**
 * `none`: the user is not among Okta's role assignees (no roles call was made).
 * `unknown`: the roles could not be read.
 */
export type UserRoles =
  | { status: 'read'; items: UserRole[] }
  | { status: 'unknown'; reason: string }
  | { status: 'none' };

/** One app a user is assigned to. */
export interface UserAppAssignment {
  appId: string;
  /** `USER` (direct) or `GROUP` (through a group assignment). */
  scope: 'USER' | 'GROUP' | string;
  /** Always written (null when Okta had none); optional for hand-built evidence inputs. */
  status?: string | null;
}

/** ★ An `okta_users` document: one per org × Okta user, the only declaration of its shape. */
export interface OktaUserDocument extends DirectoryDocument {
  id: string;
  login: string | null;
  email: string | null;
  /** Okta user status. */
  status: string;
  created: string | null;
  activated: string | null;
  statusChanged: string | null;
  lastLogin: string | null;
  lastUpdated: string | null;
  /** statusChanged of a DEPROVISIONED user, else null. */
  deactivatedAt: string | null;
  factors: UserFactors;
  /** Factor types with an `ACTIVE` factor, sorted; null when the factors could not be read. */
  activeFactorTypes: string[] | null;
  /** From the group member lists that were read, sorted. */
  groupIds: string[];
  /** The distinct apps of `appAssignments`, sorted. */
  appIds: string[];
  appAssignments: UserAppAssignment[];
  adminRoles: UserRoles;
}

/** The user fields an Okta user object gives (the rest is joined in when the sync completes). */
export const USER_PROFILE_FIELDS = [
  'id',
  'login',
  'email',
  'status',
  'created',
  'activated',
  'statusChanged',
  'lastLogin',
  'lastUpdated',
] as const;
export type OktaUserProfile = Pick<OktaUserDocument, (typeof USER_PROFILE_FIELDS)[number]>;

/** The profile fields of a user document or staged profile, in document order. */
export function userProfileOf(user: OktaUserProfile): OktaUserProfile {
  const profile = {} as Record<string, unknown>;
  for (const field of USER_PROFILE_FIELDS) profile[field] = user[field];
  return profile as OktaUserProfile;
}
