/**
 * Told when a connection is deleted, before the deletion is announced: the
 * slice that queues sync requests skips the org's queued ones. A port, so the
 * connections slice does not depend on the slices that depend on it.
 */
export const CONNECTION_REMOVED_LISTENER = Symbol('CONNECTION_REMOVED_LISTENER');
export interface ConnectionRemovedListener {
  connectionRemoved(orgId: string, at: Date): Promise<void>;
}
