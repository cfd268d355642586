import { buildFactor, FACTOR_STATUSES, isFactorType } from './factor-catalog';
import { appUserRef, completeEvent, statusEvent } from './log-events';
import { LogDrawer } from './log-generator';
import { OktaLogEvent } from './log-model';
import {
  insertSorted,
  isUserStatus,
  removeSorted,
  SimApp,
  SimGroup,
  SimOrg,
  SimRoleAssignment,
  SimUser,
} from './model';
import { ROLE_LABELS } from './org-catalog';
import { Prng, uniqueId } from './prng';
import { SystemLogStore } from './system-log';
import { DAY_MS, iso } from './time';

/** A mutation named something that does not exist (the control API answers 404). */
export class SimNotFoundError extends Error {}

/** An event a mutation wrote to the System Log. */
export interface RecordedEvent {
  eventType: string;
  uuid: string;
}

/** Standard admin roles a user or group can be granted (custom roles need a resource set). */
export const GRANTABLE_ROLES: readonly string[] = Object.keys(ROLE_LABELS).filter(
  (type) => type !== 'CUSTOM',
);

/**
 * Changes to the live org, each keeping the org's timestamps right and writing
 * the System Log event(s) Okta writes for it, published at `now()` and
 * visible at once. Every change bumps `org.version` (derived caches key on it).
 *
 * Timestamps: user status changes bump the user's `lastUpdated` (and
 * `statusChanged`); membership changes bump the group's
 * `lastMembershipUpdated`; app activation bumps the app's `lastUpdated`.
 * Factor, app-assignment and role changes bump nothing (docs/okta.md: they probably
 * do not touch `lastUpdated`), so an incremental sync must read the log.
 */
export class OrgMutations {
  private readonly drawer: LogDrawer;
  private journal: RecordedEvent[] | null = null;

  constructor(
    private readonly org: SimOrg,
    private readonly log: SystemLogStore,
    private readonly prng: Prng,
    private readonly ids: Set<string>,
    private readonly now: () => Date,
  ) {
    this.drawer = new LogDrawer(org, prng, now().getTime() - 7 * DAY_MS);
  }

  private user(id: string): SimUser {
    const user = this.org.userByIdOrLogin(id);
    if (!user) throw new SimNotFoundError(`no user ${id}`);
    return user;
  }

  private group(id: string): SimGroup {
    const group = this.org.group(id);
    if (!group) throw new SimNotFoundError(`no group ${id}`);
    return group;
  }

  private app(id: string): SimApp {
    const app = this.org.app(id);
    if (!app) throw new SimNotFoundError(`no app ${id}`);
    return app;
  }

  private stamp(): string {
    return iso(this.now().getTime());
  }

  /**
   * An admin to act: one of the org's super/org admins still active (the
   * generated pool), else the token owner.
   */
  private admin(): string {
    const live = this.drawer.admins.filter(
      (user) => this.org.user(user.id) === user && user.status === 'ACTIVE',
    );
    return live.length > 0 ? this.prng.pick(live).id : this.org.tokenOwnerId;
  }

  private record(
    eventType: string,
    actorId: string,
    targetIds: string[],
    detail: string | null = null,
  ): void {
    const seed = this.drawer.seed(this.now().getTime(), eventType, {
      actorId,
      targetIds,
      result: 'SUCCESS',
      reason: null,
      detail,
    });
    const uuid = this.prng.uuid();
    this.log.add({ publishedMs: seed.publishedMs, eventType, uuid, spec: seed.spec });
    this.journal?.push({ eventType, uuid });
  }

  /** Runs `change` and returns the events it wrote. */
  capture<T>(change: () => T): { result: T; events: RecordedEvent[] } {
    const outer = this.journal;
    const events: RecordedEvent[] = [];
    this.journal = events;
    try {
      return { result: change(), events };
    } finally {
      this.journal = outer;
      outer?.push(...events);
    }
  }

  // ---- users ----

  /**
   * Any status change, logged with Okta's event for that transition
   * (activate, deactivate, suspend, unsuspend, lock, unlock, reactivate…).
   * Bumps `statusChanged` and `lastUpdated`. No checks of which transitions
   * Okta allows: the named helpers below check.
   */
  setUserStatus(id: string, status: string): void {
    if (!isUserStatus(status)) throw new Error(`unknown user status ${status}`);
    const user = this.user(id);
    if (user.status === status) return;
    const at = this.stamp();
    const from = user.status;
    user.status = status;
    user.statusChanged = at;
    user.lastUpdated = at;
    if (status === 'ACTIVE' && user.activated === null) user.activated = at;
    this.org.touch();
    const eventType = statusEvent(from, status);
    if (!eventType) return;
    const actor = eventType === 'user.account.lock' ? user.id : this.admin();
    this.record(eventType, actor, [user.id]);
  }

  /** Any status → DEPROVISIONED (a no-op when already deprovisioned). */
  deactivateUser(id: string): void {
    this.setUserStatus(id, 'DEPROVISIONED');
  }

  /** ACTIVE → SUSPENDED (`user.lifecycle.suspend`); Okta suspends only active users. */
  suspendUser(id: string): void {
    const user = this.user(id);
    if (user.status !== 'ACTIVE')
      throw new Error(`only an ACTIVE user can be suspended (${user.id} is ${user.status})`);
    this.setUserStatus(user.id, 'SUSPENDED');
  }

  /** SUSPENDED → ACTIVE (`user.lifecycle.unsuspend`). */
  unsuspendUser(id: string): void {
    const user = this.user(id);
    if (user.status !== 'SUSPENDED')
      throw new Error(`only a SUSPENDED user can be unsuspended (${user.id} is ${user.status})`);
    this.setUserStatus(user.id, 'ACTIVE');
  }

  /**
   * DEPROVISIONED → PROVISIONED (`user.lifecycle.reactivate`): Okta's
   * activation of a deactivated user leaves it pending until the user
   * completes the activation email (then `setUserStatus(id, 'ACTIVE')`).
   */
  reactivateUser(id: string): void {
    const user = this.user(id);
    if (user.status !== 'DEPROVISIONED')
      throw new Error(
        `only a DEPROVISIONED user can be reactivated (${user.id} is ${user.status})`,
      );
    this.setUserStatus(user.id, 'PROVISIONED');
  }

  /**
   * Hard delete of a DEPROVISIONED user (never the token owner):
   * `user.lifecycle.delete.initiated` then `user.lifecycle.delete.completed`,
   * both targeting the user. The user vanishes from every answer (lists,
   * group members, app users, role assignees; `/users/{id}` is 404). The
   * groups it leaves keep their `lastMembershipUpdated` (Okta's behaviour
   * unconfirmed): the delete event is what tells a sync.
   */
  deleteUser(id: string): void {
    const user = this.user(id);
    if (user.id === this.org.tokenOwnerId) throw new Error('the token owner cannot be deleted');
    if (user.status !== 'DEPROVISIONED')
      throw new Error(`only a DEPROVISIONED user can be deleted (${user.id} is ${user.status})`);
    const actor = this.admin();
    this.org.removeUser(user.id);
    this.record('user.lifecycle.delete.initiated', actor, [user.id]);
    this.record('user.lifecycle.delete.completed', actor, [user.id]);
  }

  // ---- factors ----

  enrollFactor(userId: string, factorType: string, status = 'ACTIVE'): string {
    if (!isFactorType(factorType)) throw new Error(`unknown factor type ${factorType}`);
    if (!(FACTOR_STATUSES as readonly string[]).includes(status))
      throw new Error(`unknown factor status ${status}`);
    const user = this.user(userId);
    const factor = buildFactor(this.prng, user, factorType, status, this.stamp(), this.ids);
    user.factors.push(factor);
    this.org.touch();
    if (status === 'ACTIVE')
      this.record('user.mfa.factor.activate', user.id, [user.id], factorType);
    return factor.id;
  }

  /**
   * Removes one factor (`user.mfa.factor.deactivate`, target the user): an
   * admin resetting it, or the user (`byUser`) removing it.
   */
  removeFactor(userId: string, factorId: string, opts: { byUser?: boolean } = {}): void {
    const user = this.user(userId);
    const at = user.factors.findIndex((factor) => factor.id === factorId);
    const factor = user.factors[at];
    if (!factor) throw new SimNotFoundError(`no factor ${factorId} for user ${user.id}`);
    user.factors.splice(at, 1);
    this.org.touch();
    const actor = opts.byUser ? user.id : this.admin();
    this.record('user.mfa.factor.deactivate', actor, [user.id], factor.factorType);
  }

  /** Removes every factor (`user.mfa.factor.reset_all`, target the user). */
  resetFactors(userId: string): void {
    const user = this.user(userId);
    user.factors = [];
    this.org.touch();
    this.record('user.mfa.factor.reset_all', this.admin(), [user.id]);
  }

  // ---- groups ----

  addGroupMember(groupId: string, userId: string): void {
    const group = this.group(groupId);
    const user = this.user(userId);
    if (group.members.has(user.id)) return;
    group.members.add(user.id);
    insertSorted(group.memberIds, user.id);
    group.lastMembershipUpdated = this.stamp();
    this.org.touch();
    this.record('group.user_membership.add', this.admin(), [user.id, group.id]);
  }

  removeGroupMember(groupId: string, userId: string): void {
    const group = this.group(groupId);
    if (group.type === 'BUILT_IN')
      throw new Error('members cannot be removed from the Everyone group');
    const user = this.user(userId);
    if (!group.members.delete(user.id)) return;
    removeSorted(group.memberIds, user.id);
    group.lastMembershipUpdated = this.stamp();
    this.org.touch();
    this.record('group.user_membership.remove', this.admin(), [user.id, group.id]);
  }

  /**
   * Hard delete of a group (`group.lifecycle.delete`, target the group); not
   * Everyone. Its memberships, roles and app assignments disappear with it
   * (members lose the GROUP-scope app assignments it gave). Only the group
   * event is written: no per-member events (Okta's unconfirmed).
   */
  deleteGroup(groupId: string): void {
    const group = this.group(groupId);
    if (group.type === 'BUILT_IN') throw new Error('the Everyone group cannot be deleted');
    const actor = this.admin();
    this.org.removeGroup(group.id);
    this.record('group.lifecycle.delete', actor, [group.id]);
  }

  // ---- apps ----

  /**
   * Assigns a user to an app directly (scope USER), as an admin would in the
   * Admin Console: `application.user_membership.add`, targets AppUser,
   * AppInstance, User (as Okta logs it).
   */
  assignAppUser(appId: string, userId: string): void {
    const app = this.app(appId);
    const user = this.user(userId);
    if (app.directUsers.has(user.id)) return;
    app.directUsers.set(user.id, this.stamp());
    this.org.touch();
    this.record('application.user_membership.add', this.admin(), [
      appUserRef(app.id, user.id),
      app.id,
      user.id,
    ]);
  }

  /**
   * Removes a direct (scope USER) assignment: `application.user_membership.remove`,
   * targets AppUser, AppInstance, User. A user also reached through an
   * assigned group keeps the app with scope GROUP.
   */
  unassignAppUser(appId: string, userId: string): void {
    const app = this.app(appId);
    const user = this.user(userId);
    if (!app.directUsers.delete(user.id))
      throw new SimNotFoundError(`user ${user.id} is not assigned to app ${app.id} directly`);
    this.org.touch();
    this.record('application.user_membership.remove', this.admin(), [
      appUserRef(app.id, user.id),
      app.id,
      user.id,
    ]);
  }

  /**
   * Assigns a group to an app (`group.application_assignment.add`, targets
   * UserGroup, AppInstance): its members get the app with scope GROUP
   * (direct assignments keep scope USER). Default priority: after the others.
   * A no-op when already assigned.
   */
  assignAppGroup(appId: string, groupId: string, priority?: number): void {
    const app = this.app(appId);
    const group = this.group(groupId);
    if (app.groups.some((assignment) => assignment.groupId === group.id)) return;
    const last = Math.max(-1, ...app.groups.map((assignment) => assignment.priority));
    app.groups.push({ groupId: group.id, priority: priority ?? last + 1, created: this.stamp() });
    this.org.touch();
    this.record('group.application_assignment.add', this.admin(), [group.id, app.id]);
  }

  /** Removes a group assignment (`group.application_assignment.remove`, targets UserGroup, AppInstance). */
  unassignAppGroup(appId: string, groupId: string): void {
    const app = this.app(appId);
    const group = this.group(groupId);
    const at = app.groups.findIndex((assignment) => assignment.groupId === group.id);
    if (at < 0) throw new SimNotFoundError(`group ${group.id} is not assigned to app ${app.id}`);
    app.groups.splice(at, 1);
    this.org.touch();
    this.record('group.application_assignment.remove', this.admin(), [group.id, app.id]);
  }

  /** INACTIVE → ACTIVE (`application.lifecycle.activate`); bumps the app's `lastUpdated`. */
  activateApp(appId: string): void {
    this.setAppStatus(this.app(appId), 'ACTIVE', 'application.lifecycle.activate');
  }

  /** ACTIVE → INACTIVE (`application.lifecycle.deactivate`); assignments stay; bumps `lastUpdated`. */
  deactivateApp(appId: string): void {
    this.setAppStatus(this.app(appId), 'INACTIVE', 'application.lifecycle.deactivate');
  }

  private setAppStatus(app: SimApp, status: SimApp['status'], eventType: string): void {
    if (app.status === status) return;
    app.status = status;
    app.lastUpdated = this.stamp();
    this.org.touch();
    this.record(eventType, this.admin(), [app.id]);
  }

  /**
   * Hard delete of an INACTIVE app (`application.lifecycle.delete`, target the
   * app), as Okta requires; its user and group assignments disappear. An app
   * that directory groups (APP_GROUP) are imported from cannot be deleted
   * here (Okta would remove its imported groups too; not modelled).
   */
  deleteApp(appId: string): void {
    const app = this.app(appId);
    if (app.status !== 'INACTIVE')
      throw new Error(`only an INACTIVE app can be deleted (${app.id} is ${app.status})`);
    if (this.org.groups.some((group) => group.sourceAppId === app.id))
      throw new Error(`app ${app.id} is the source of imported groups`);
    const actor = this.admin();
    this.org.removeApp(app.id);
    this.record('application.lifecycle.delete', actor, [app.id]);
  }

  // ---- admin roles ----

  private newRole(type: string): SimRoleAssignment {
    if (!GRANTABLE_ROLES.includes(type)) throw new Error(`unknown admin role ${type}`);
    const at = this.stamp();
    return {
      id: uniqueId(this.prng, 'ra1', this.ids),
      type,
      label: ROLE_LABELS[type] ?? type,
      status: 'ACTIVE',
      created: at,
      lastUpdated: at,
    };
  }

  /**
   * Grants a standard admin role to a user (`user.account.privilege.grant`,
   * target the user): `/users/{id}/roles` and `/iam/assignees/users` show it.
   * Returns the assignment id (the existing one, without an event, when the
   * user already holds the role directly).
   */
  grantUserRole(userId: string, roleType: string): string {
    const user = this.user(userId);
    const held = user.roles.find((role) => role.type === roleType);
    if (held) return held.id;
    const role = this.newRole(roleType);
    user.roles.push(role);
    this.org.touch();
    this.record('user.account.privilege.grant', this.admin(), [user.id], roleType);
    return role.id;
  }

  /** Revokes a direct role, by assignment id or type (`user.account.privilege.revoke`, target the user). */
  revokeUserRole(userId: string, roleIdOrType: string): void {
    const user = this.user(userId);
    const role = takeRole(user.roles, roleIdOrType, `user ${user.id}`);
    this.org.touch();
    this.record('user.account.privilege.revoke', this.admin(), [user.id], role.type);
  }

  /**
   * Grants a standard admin role to a group (`group.privilege.grant`, target
   * the group): `/groups/{id}/roles` shows it and its members' `/roles` show it
   * with assignmentType GROUP.
   */
  grantGroupRole(groupId: string, roleType: string): string {
    const group = this.group(groupId);
    const held = group.roles.find((role) => role.type === roleType);
    if (held) return held.id;
    const role = this.newRole(roleType);
    group.roles.push(role);
    this.org.touch();
    this.record('group.privilege.grant', this.admin(), [group.id], roleType);
    return role.id;
  }

  /** Revokes a group's role, by assignment id or type (`group.privilege.revoke`, target the group). */
  revokeGroupRole(groupId: string, roleIdOrType: string): void {
    const group = this.group(groupId);
    const role = takeRole(group.roles, roleIdOrType, `group ${group.id}`);
    this.org.touch();
    this.record('group.privilege.revoke', this.admin(), [group.id], role.type);
  }

  // ---- the log itself ----

  /**
   * Appends events. `published` defaults to now and may be older than events
   * already visible; `visibleAt` (default now) is when polling can see them.
   */
  appendLogEvents(events: Array<Partial<OktaLogEvent>>, visibleAt?: Date): string[] {
    const published = this.stamp();
    return events.map((partial) => {
      const event = completeEvent(partial, this.prng.uuid(), published, this.prng);
      const publishedMs = Date.parse(event.published);
      if (Number.isNaN(publishedMs)) throw new Error(`invalid published ${event.published}`);
      this.log.add(
        { publishedMs, eventType: event.eventType, uuid: event.uuid, event },
        visibleAt?.getTime(),
      );
      return event.uuid;
    });
  }

  /** Background traffic (sign-ins…) published now: `autoGrowLogs`. */
  appendNoise(count: number): void {
    for (let added = 0; added < count;) {
      for (const seed of this.drawer.noise(this.now().getTime()).slice(0, count - added)) {
        this.log.add({
          publishedMs: this.now().getTime(),
          eventType: seed.eventType,
          uuid: this.prng.uuid(),
          spec: seed.spec,
        });
        added++;
      }
    }
  }
}

function takeRole(roles: SimRoleAssignment[], idOrType: string, holder: string): SimRoleAssignment {
  const at = roles.findIndex((role) => role.id === idOrType || role.type === idOrType);
  const role = roles[at];
  if (!role) throw new SimNotFoundError(`${holder} holds no role ${idOrType}`);
  roles.splice(at, 1);
  return role;
}
