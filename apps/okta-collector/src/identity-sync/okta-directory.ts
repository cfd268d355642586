import type {
  OktaApp,
  OktaAppGroup,
  OktaAppUser,
  OktaGroup,
  OktaLogEvent,
  OktaRole,
  OktaUser,
} from '@regentra/contracts';
import type { ItemSchema } from './datasets';

/**
 * What an identity sync reads from Okta. `OktaClient` implements it; naming the
 * port here keeps the sync testable and the client swappable.
 */
export interface OktaDirectory {
  listUsers(): AsyncIterable<OktaUser[]>;
  /** Users of any status whose `lastUpdated` is after `since` (incremental syncs). */
  listUsersUpdatedSince(since: string): AsyncIterable<OktaUser[]>;
  /** One user; null once Okta deleted it. */
  getUser(userId: string): Promise<OktaUser | null>;
  /** System Log events of these types since `since` (incremental syncs). */
  listLogEventsSince(since: string, eventTypes: readonly string[]): AsyncIterable<OktaLogEvent[]>;
  /**
   * A plain-array call on one object (`call` as `IDENTITY_DATASETS` names it,
   * `{id}` = `id`), each item checked against `item`: every per-user dataset.
   */
  listById<T>(call: string, id: string, item: ItemSchema<T>): Promise<T[]>;
  listRoleAssigneeUsers(): AsyncIterable<string[]>;
  listGroups(): AsyncIterable<OktaGroup[]>;
  listGroupMembers(groupId: string): AsyncIterable<OktaUser[]>;
  listGroupRoles(groupId: string): Promise<OktaRole[]>;
  listApps(): AsyncIterable<OktaApp[]>;
  listAppUsers(appId: string): AsyncIterable<OktaAppUser[]>;
  listAppGroups(appId: string): AsyncIterable<OktaAppGroup[]>;
}
