/**
 * ★ The System Log event types the collector reads, once, grouped by what they
 * tell (docs/okta.md, "Event types that feed evidence"). The poller's default
 * filter and an incremental identity sync's change events
 * (identity-sync/change-plan.ts) both take theirs from here.
 */
export const LOG_EVENT_TYPES = {
  signIn: [
    'user.session.start',
    'user.authentication.auth_via_mfa',
    'user.authentication.sso',
    'policy.evaluate_sign_on',
  ],
  factor: [
    'user.mfa.factor.activate',
    'user.mfa.factor.deactivate',
    'user.mfa.factor.reset_all',
    'user.mfa.factor.suspend',
    'user.mfa.factor.unsuspend',
    'user.mfa.factor.update',
  ],
  lifecycle: [
    'user.lifecycle.create',
    'user.lifecycle.activate',
    'user.lifecycle.deactivate',
    'user.lifecycle.suspend',
    'user.lifecycle.unsuspend',
    'user.lifecycle.reactivate',
    'user.lifecycle.delete.initiated',
    'user.lifecycle.delete.completed',
  ],
  accountLock: ['user.account.lock', 'user.account.unlock'],
  groupMembership: ['group.user_membership.add', 'group.user_membership.remove'],
  appMembership: [
    'application.user_membership.add',
    'application.user_membership.remove',
    'application.user_membership.deprovision',
    'application.user_membership.revoke',
    'group.application_assignment.add',
    'group.application_assignment.remove',
  ],
  userPrivilege: ['user.account.privilege.grant', 'user.account.privilege.revoke'],
  groupPrivilege: ['group.privilege.grant', 'group.privilege.revoke'],
  /** A deleted group leaves the apps it was assigned to without logging per app or member. */
  groupDeleted: ['group.lifecycle.delete'],
  apiToken: ['system.api_token.create', 'system.api_token.revoke'],
} as const;

/** System Log event types that feed the controls; the default poll filter. */
export const EVIDENCE_EVENT_TYPES = [
  ...LOG_EVENT_TYPES.signIn,
  ...LOG_EVENT_TYPES.factor,
  ...LOG_EVENT_TYPES.lifecycle,
  ...LOG_EVENT_TYPES.accountLock,
  ...LOG_EVENT_TYPES.groupMembership,
  ...LOG_EVENT_TYPES.appMembership,
  ...LOG_EVENT_TYPES.userPrivilege,
  ...LOG_EVENT_TYPES.groupPrivilege,
  ...LOG_EVENT_TYPES.apiToken,
] as const;

/** Okta's SCIM filter for a list of event types; undefined means every event. */
export function eventTypeFilter(types: readonly string[] | 'all'): string | undefined {
  if (types === 'all') return undefined;
  return types.map((type) => `eventType eq "${type}"`).join(' or ');
}
