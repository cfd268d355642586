/**
 * The System Log definitions the evidence reads (re-exported by
 * evidence/rules/evidence-rules.ts). They live here because the per-day
 * rollups in this slice apply them too. Changing one changes evidence: re-project.
 */

/**
 * How far before a sync's asOf the evidence reads: log facts older than this
 * feed no control (provisioning, the longest window, reads 90 days), and
 * users removed earlier are not listed. EvidenceService and the directory's
 * fold both read this one value.
 */
export const LOG_LOOKBACK_DAYS = 91;

export const SIGN_IN_EVENT = 'user.session.start';
export const MFA_EVENT = 'user.authentication.auth_via_mfa';
export const DEACTIVATE_EVENT = 'user.lifecycle.deactivate';
/** A user deleted (hard delete): its event names the deleting actor. */
export const DELETE_EVENT = 'user.lifecycle.delete.completed';
export const SUCCESS = 'SUCCESS';
export const FAILURE = 'FAILURE';

/**
 * A successful sign-in counts as "with MFA" when an MFA verification
 * (auth_via_mfa, SUCCESS) of the same actor is found:
 *  1. with the same session id or the same transaction id, at any time; or
 *  2. failing that, published within [sign-in − 2 min, sign-in + 5 min], not
 *     tied to a different session, and not already used by another sign-in
 *     (one verification evidences one sign-in; earliest sign-in first, earliest
 *     verification first).
 * The 2 minutes before cover Identity Engine, which verifies factors before it
 * starts the session; the 5 minutes after cover Classic, which starts the
 * session and then asks for the factor.
 */
export const MFA_MATCH_BEFORE_MS = 2 * 60 * 1000;
export const MFA_MATCH_AFTER_MS = 5 * 60 * 1000;

/** Session ids Okta writes when there is none. */
export const NO_SESSION_IDS: readonly string[] = ['unknown', ''];
