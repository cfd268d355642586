/**
 * ★ What a token may do. Every route of both APIs declares exactly one of
 * these (`@Requires`), or is `@Public()`; a token's `scope` claim lists the
 * ones it allows.
 */
export const ACTIONS = [
  'evidence:read',
  'connection:write',
  'sync:request',
  'status:read',
  'fleet:read',
] as const;

export type Action = (typeof ACTIONS)[number];

export const isAction = (value: string): value is Action =>
  (ACTIONS as readonly string[]).includes(value);

/** Which orgs a token covers: a list, or every org (`*`, operators only). */
export type OrgScope = '*' | readonly string[];

/** Who called, as the authenticator proved it. */
export interface Principal {
  /** The token's `sub`, or `static:<variable>` for a static secret. */
  subject: string;
  /** The signing key's `kid` (signed tokens only). */
  keyId?: string;
  via: 'jwt' | 'static';
  orgs: OrgScope;
  actions: ReadonlySet<Action>;
}
