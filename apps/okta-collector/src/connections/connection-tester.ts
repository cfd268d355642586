import { OktaClient, OktaForbiddenError } from '../okta-client';

export interface ConnectionTestResult {
  tokenOwner: { id: string; login: string | null };
  /** The Okta org id the API host answers (`/.well-known/okta-organization`). */
  oktaOrgId: string;
  roles: string[];
  readOnly: boolean | null;
  warnings: string[];
}

/**
 * Reads the org id of the API host (`/.well-known/okta-organization`, no
 * token: the provenance of every sync, docs/read-models.md), then calls Okta
 * as the token owner and reads the owner's admin roles. A 401
 * propagates (the caller answers 4xx and saves nothing); a 403 on the roles
 * is a warning, not a failure (whether a read-only token may read roles is
 * not confirmed by Okta).
 */
export async function testConnection(client: OktaClient): Promise<ConnectionTestResult> {
  const organization = await client.getOrganization();
  const owner = await client.getTokenOwner();
  const warnings: string[] = [];
  let roles: string[] = [];
  let readOnly: boolean | null = null;
  try {
    const assigned = await client.listUserRoles(owner.id);
    roles = [...new Set(assigned.map((role) => role.type))].sort();
    readOnly = roles.length > 0 && roles.every((role) => role === 'READ_ONLY_ADMIN');
    if (roles.length === 0) {
      warnings.push(
        "The token owner holds no admin role: Okta will refuse most reads. Use a Read-Only Administrator's token.",
      );
    } else if (!readOnly) {
      warnings.push(
        `The token carries more than read-only access (${roles.join(', ')}). Regentra only reads; create the token as a Read-Only Administrator.`,
      );
    }
  } catch (error) {
    if (!(error instanceof OktaForbiddenError)) throw error;
    warnings.push(
      'The token may not read its own admin roles (403), so read-only access could not be confirmed.',
    );
  }
  const login = typeof owner.profile?.login === 'string' ? owner.profile.login : null;
  return {
    tokenOwner: { id: owner.id, login },
    oktaOrgId: organization.id,
    roles,
    readOnly,
    warnings,
  };
}
