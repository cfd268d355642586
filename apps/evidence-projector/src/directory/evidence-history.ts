import type { IdentitySyncDoc } from './identity-syncs.repository';

/*
 * Evidence histories (docs/read-models.md): one per Okta org an org was
 * connected to, named by the Okta org id its syncs' provenance carries.
 */

/** The Okta org a sync read (its evidence history), or null when unknown. */
export const oktaOrgIdOf = (sync: Pick<IdentitySyncDoc, 'provenance'> | null): string | null =>
  sync?.provenance?.oktaOrgId ?? null;

/**
 * A sync starts a new evidence history when it read another Okta org than
 * the org's last applied sync (docs/read-models.md, Evidence histories). An
 * unknown org id on either side (history published before provenance)
 * continues the history.
 */
export function startsNewHistory(
  latestOktaOrgId: string | null | undefined,
  oktaOrgId: string | null,
): boolean {
  return !!latestOktaOrgId && !!oktaOrgId && latestOktaOrgId !== oktaOrgId;
}
