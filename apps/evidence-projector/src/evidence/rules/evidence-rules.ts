/**
 * The definitions every control uses. Changing one changes evidence: re-project.
 */

/**
 * Statuses of an account that can be used to sign in, now or after a
 * self-service step (password reset, unlock, recovery). These are the "active
 * users" of every control, the authentication control's MFA denominator
 * included: a LOCKED_OUT or PASSWORD_EXPIRED user gets back in without an
 * admin, so they need MFA as much as an ACTIVE one. Sorted.
 */
export const ACTIVE_USER_STATUSES: readonly string[] = [
  'ACTIVE',
  'LOCKED_OUT',
  'PASSWORD_EXPIRED',
  'RECOVERY',
];

/** A leaver: Okta's "deactivated". */
export const DEACTIVATED_STATUS = 'DEPROVISIONED';
export const SUSPENDED_STATUS = 'SUSPENDED';

/**
 * Okta keeps every user, deprovisioned ones included, in the BUILT_IN
 * "Everyone" group: membership of a BUILT_IN group is never an access
 * exception.
 */
export const BUILT_IN_GROUP_TYPE = 'BUILT_IN';

/** The only factor status that counts as enrolled MFA. */
export const ENROLLED_FACTOR_STATUS = 'ACTIVE';

export const SUPER_ADMIN_ROLE = 'SUPER_ADMIN';

export const DAY_MS = 24 * 60 * 60 * 1000;
/** Joiners/leavers window: [asOf − 90 days, asOf], both ends included. */
export const PROVISIONING_WINDOW_DAYS = 90;
/** Sign-in window: [asOf − 30 days, asOf], both ends included. */
export const SIGN_IN_WINDOW_DAYS = 30;

export {
  DEACTIVATE_EVENT,
  FAILURE,
  LOG_LOOKBACK_DAYS,
  MFA_EVENT,
  MFA_MATCH_AFTER_MS,
  MFA_MATCH_BEFORE_MS,
  NO_SESSION_IDS,
  SIGN_IN_EVENT,
  SUCCESS,
} from '../../log-facts/log-rules';
