/** System Log event types that feed the controls (OKTA.md); the default poll filter. */
export const EVIDENCE_EVENT_TYPES = [
  'user.session.start',
  'user.authentication.auth_via_mfa',
  'user.authentication.sso',
  'policy.evaluate_sign_on',
  'user.mfa.factor.activate',
  'user.mfa.factor.deactivate',
  'user.mfa.factor.reset_all',
  'user.mfa.factor.suspend',
  'user.mfa.factor.unsuspend',
  'user.mfa.factor.update',
  'user.lifecycle.create',
  'user.lifecycle.activate',
  'user.lifecycle.deactivate',
  'user.lifecycle.suspend',
  'user.lifecycle.unsuspend',
  'user.lifecycle.reactivate',
  'user.lifecycle.delete.initiated',
  'user.lifecycle.delete.completed',
  'user.account.lock',
  'user.account.unlock',
  'group.user_membership.add',
  'group.user_membership.remove',
  'application.user_membership.add',
  'application.user_membership.remove',
  'application.user_membership.deprovision',
  'application.user_membership.revoke',
  'group.application_assignment.add',
  'group.application_assignment.remove',
  'user.account.privilege.grant',
  'user.account.privilege.revoke',
  'group.privilege.grant',
  'group.privilege.revoke',
  'system.api_token.create',
  'system.api_token.revoke',
] as const;

/** Okta's SCIM filter for a list of event types; undefined means every event. */
export function eventTypeFilter(types: readonly string[] | 'all'): string | undefined {
  if (types === 'all') return undefined;
  return types.map((type) => `eventType eq "${type}"`).join(' or ');
}
