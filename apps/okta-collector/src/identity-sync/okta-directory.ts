import type {
  OktaApp,
  OktaAppGroup,
  OktaAppUser,
  OktaFactor,
  OktaGroup,
  OktaLogEvent,
  OktaRole,
  OktaUser,
} from '@regentra/contracts';

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
  listUserFactors(userId: string): Promise<OktaFactor[]>;
  listUserRoles(userId: string): Promise<OktaRole[]>;
  listRoleAssigneeUsers(): AsyncIterable<string[]>;
  listGroups(): AsyncIterable<OktaGroup[]>;
  listGroupMembers(groupId: string): AsyncIterable<OktaUser[]>;
  listGroupRoles(groupId: string): Promise<OktaRole[]>;
  listApps(): AsyncIterable<OktaApp[]>;
  listAppUsers(appId: string): AsyncIterable<OktaAppUser[]>;
  listAppGroups(appId: string): AsyncIterable<OktaAppGroup[]>;
}
