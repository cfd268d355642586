import type { SealedToken } from './token-vault';

export type ConnectionState = 'connected' | 'credentials_invalid' | 'token_undecryptable';

/** One stored Okta connection per org (the collector's own database). */
export interface ConnectionDoc {
  _id: string; // orgId
  orgId: string;
  /**
   * Validated base URL API calls go to, e.g. https://acme.okta.com: the Okta
   * org host, also for a custom domain (docs/okta.md, Domains).
   */
  baseUrl: string;
  /**
   * What the customer typed, as a host (a custom domain, or the same host as
   * `baseUrl`); absent on connections saved before custom domains were
   * resolved to their org host: read as `baseUrl`'s host.
   */
  domain?: string;
  /** The Okta org id (`/.well-known/okta-organization`); absent on connections not tested since. */
  oktaOrgId?: string | null;
  token: SealedToken;
  state: ConnectionState;
  stateReason: string | null;
  tokenOwner: { id: string; login: string | null } | null;
  roles: string[];
  readOnly: boolean | null;
  warnings: string[];
  savedAt: Date;
  lastTestedAt: Date;
  /** Last time Okta accepted the token (every call renews Okta's 30-day idle expiry). */
  tokenLastUsedAt: Date | null;
  /** Bumped on every save: a sync started under an older generation must not mark a newer connection invalid. */
  generation: number;
  lastScheduleSkip: { at: Date; reason: string } | null;
}

/** A connection as other slices may read it: never the sealed token, only the id of the key that sealed it. */
export type ConnectionView = Omit<ConnectionDoc, 'token'> & { token: Pick<SealedToken, 'keyId'> };

/** What a passed connection test stores. */
export interface ConnectionTestFields {
  tokenOwner: ConnectionDoc['tokenOwner'];
  oktaOrgId: string;
  roles: string[];
  readOnly: boolean | null;
  warnings: string[];
}
