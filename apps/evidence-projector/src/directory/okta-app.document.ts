import type { DirectoryDocument } from './directory-document';

/** ★ An `okta_apps` document: one per org × Okta app, the only declaration of its shape. */
export interface OktaAppDocument extends DirectoryDocument {
  id: string;
  label: string | null;
  name: string | null;
  status: string;
  /** Distinct assigned users; null = unknown. */
  userAssignmentCount: number | null;
  /** Groups assigned to the app, sorted. */
  groupIds: string[];
  /** false when the app's user or group assignments could not be read. */
  assignmentsKnown: boolean;
}

/** The app fields an Okta app object gives. */
export type OktaAppProfile = Pick<OktaAppDocument, 'id' | 'label' | 'name' | 'status'>;
