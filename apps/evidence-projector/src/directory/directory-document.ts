/**
 * The fields every directory read-model document (`okta_users`, `okta_groups`,
 * `okta_apps`) carries besides the entity's own: who it belongs to and which
 * completed sync last saw it. A document is never deleted when Okta forgets
 * the entity: the first completed sync that does not see it marks it removed.
 */
export interface DirectoryDocument {
  /** `${orgId}|${id}` */
  _id: string;
  orgId: string;
  lastSeenSyncId: string;
  removed: boolean;
  /** The completion time of the sync that marked it removed. */
  removedAt: string | null;
  removedBySyncId: string | null;
}
