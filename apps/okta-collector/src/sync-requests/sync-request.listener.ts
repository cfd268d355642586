/** Wakes whoever runs syncs when a new request is queued (decouples the inbox and the worker). */
export const SYNC_REQUEST_LISTENER = Symbol('SYNC_REQUEST_LISTENER');
export interface SyncRequestListener {
  requestQueued(orgId: string): void;
}
