import { buildFactor, FACTOR_STATUSES, isFactorType } from './factor-catalog';
import { completeEvent } from './log-events';
import { LogDrawer } from './log-generator';
import { OktaLogEvent } from './log-model';
import {
  insertSorted,
  isUserStatus,
  removeSorted,
  SimGroup,
  SimOrg,
  SimUser,
  UserStatus,
} from './model';
import { Prng } from './prng';
import { SystemLogStore } from './system-log';
import { DAY_MS, iso } from './time';

/** A mutation named something that does not exist (the control API answers 404). */
export class SimNotFoundError extends Error {}

const STATUS_EVENTS: Partial<Record<UserStatus, string>> = {
  ACTIVE: 'user.lifecycle.activate',
  DEPROVISIONED: 'user.lifecycle.deactivate',
  SUSPENDED: 'user.lifecycle.suspend',
  LOCKED_OUT: 'user.account.lock',
  PASSWORD_EXPIRED: 'user.account.expire_password',
  RECOVERY: 'user.account.reset_password',
};

/**
 * Changes to the live org, each with the System Log event Okta would write.
 * Every change bumps `org.version` (derived caches key on it).
 */
export class OrgMutations {
  private readonly drawer: LogDrawer;

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
    this.log.add({
      publishedMs: seed.publishedMs,
      eventType,
      uuid: this.prng.uuid(),
      spec: seed.spec,
    });
  }

  setUserStatus(id: string, status: string): void {
    if (!isUserStatus(status)) throw new Error(`unknown user status ${status}`);
    const user = this.user(id);
    if (user.status === status) return;
    const at = iso(this.now().getTime());
    const wasSuspended = user.status === 'SUSPENDED';
    user.status = status;
    user.statusChanged = at;
    user.lastUpdated = at;
    if (status === 'ACTIVE' && user.activated === null) user.activated = at;
    this.org.touch();
    const eventType =
      wasSuspended && status === 'ACTIVE' ? 'user.lifecycle.unsuspend' : STATUS_EVENTS[status];
    if (eventType) this.record(eventType, this.drawer.admin(), [user.id]);
  }

  /** Any status → DEPROVISIONED (a no-op when already deprovisioned). */
  deactivateUser(id: string): void {
    this.setUserStatus(id, 'DEPROVISIONED');
  }

  enrollFactor(userId: string, factorType: string, status = 'ACTIVE'): string {
    if (!isFactorType(factorType)) throw new Error(`unknown factor type ${factorType}`);
    if (!(FACTOR_STATUSES as readonly string[]).includes(status))
      throw new Error(`unknown factor status ${status}`);
    const user = this.user(userId);
    const factor = buildFactor(
      this.prng,
      user,
      factorType,
      status,
      iso(this.now().getTime()),
      this.ids,
    );
    user.factors.push(factor);
    this.org.touch();
    if (status === 'ACTIVE')
      this.record('user.mfa.factor.activate', user.id, [user.id], factorType);
    return factor.id;
  }

  resetFactors(userId: string): void {
    const user = this.user(userId);
    user.factors = [];
    this.org.touch();
    this.record('user.mfa.factor.reset_all', this.drawer.admin(), [user.id]);
  }

  addGroupMember(groupId: string, userId: string): void {
    const group = this.group(groupId);
    const user = this.user(userId);
    if (group.members.has(user.id)) return;
    group.members.add(user.id);
    insertSorted(group.memberIds, user.id);
    group.lastMembershipUpdated = iso(this.now().getTime());
    this.org.touch();
    this.record('group.user_membership.add', this.drawer.admin(), [user.id, group.id]);
  }

  /** Assigns a user to an app directly (scope USER), as an admin would in the Admin Console. */
  assignAppUser(appId: string, userId: string): void {
    const app = this.org.app(appId);
    if (!app) throw new SimNotFoundError(`no app ${appId}`);
    const user = this.user(userId);
    if (app.directUsers.has(user.id)) return;
    app.directUsers.set(user.id, iso(this.now().getTime()));
    this.org.touch();
    this.record('application.user_membership.add', this.drawer.admin(), [user.id, app.id]);
  }

  removeGroupMember(groupId: string, userId: string): void {
    const group = this.group(groupId);
    if (group.type === 'BUILT_IN')
      throw new Error('members cannot be removed from the Everyone group');
    const user = this.user(userId);
    if (!group.members.delete(user.id)) return;
    removeSorted(group.memberIds, user.id);
    group.lastMembershipUpdated = iso(this.now().getTime());
    this.org.touch();
    this.record('group.user_membership.remove', this.drawer.admin(), [user.id, group.id]);
  }

  /**
   * Appends events. `published` defaults to now and may be older than events
   * already visible; `visibleAt` (default now) is when polling can see them.
   */
  appendLogEvents(events: Array<Partial<OktaLogEvent>>, visibleAt?: Date): string[] {
    const published = iso(this.now().getTime());
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
