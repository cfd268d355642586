import { Action, isAction, OrgScope, Principal } from './actions';

export type Decision = { allowed: true } | { allowed: false; reason: string };

/**
 * May this principal do `action` on `orgId`? A route without an org in its
 * path (the fleet) reaches every org, so it needs a token for every org.
 */
export function decide(principal: Principal, action: Action, orgId: string | undefined): Decision {
  if (!principal.actions.has(action))
    return { allowed: false, reason: `the token does not allow ${action}` };
  if (principal.orgs === '*') return { allowed: true };
  if (orgId === undefined)
    return { allowed: false, reason: 'this route spans every org: it needs a token for orgs "*"' };
  if (!principal.orgs.includes(orgId))
    return { allowed: false, reason: `the token does not cover org ${orgId}` };
  return { allowed: true };
}

/** The `orgs` claim: one org id, a list of them, or `"*"`. Anything else is refused. */
export function orgScopeOf(claim: unknown): OrgScope | undefined {
  if (claim === '*') return '*';
  if (typeof claim === 'string' && claim.length > 0) return [claim];
  if (
    Array.isArray(claim) &&
    claim.length > 0 &&
    claim.every((org) => typeof org === 'string' && org.length > 0 && org !== '*')
  )
    return claim as string[];
  return undefined;
}

/**
 * The `scope` claim (OAuth style, space-separated). Names this version does
 * not know grant nothing; a token with no known action is refused.
 */
export function actionsOf(claim: unknown): Set<Action> | undefined {
  if (typeof claim !== 'string') return undefined;
  const actions = new Set(claim.split(' ').filter(isAction));
  return actions.size > 0 ? actions : undefined;
}
