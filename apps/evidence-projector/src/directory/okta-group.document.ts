import type { DirectoryDocument } from './directory-document';

/** ★ An `okta_groups` document: one per org × Okta group, the only declaration of its shape. */
export interface OktaGroupDocument extends DirectoryDocument {
  id: string;
  name: string | null;
  /** `OKTA_GROUP | APP_GROUP | BUILT_IN` (Everyone). */
  type: string;
  /** Distinct members; null = the member list could not be read. */
  memberCount: number | null;
  /** Admin role types held by the group, sorted. */
  roles: string[];
  /** false when the group's roles could not be read. */
  rolesKnown: boolean;
}

/** The group fields an Okta group object gives. */
export type OktaGroupProfile = Pick<OktaGroupDocument, 'id' | 'name' | 'type'>;
