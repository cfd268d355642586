import {
  IncrementalReads,
  OktaUser,
  oversizedReason,
  OversizedItem,
  trimApp,
  trimGroup,
  trimUser,
} from '@regentra/contracts';
import {
  OktaApiError,
  OktaCredentialsInvalidError,
  OktaRateLimitWaitTooLongError,
} from '../okta-client/okta-errors';
import { addChangeEvent, ALL_CHANGE_EVENT_TYPES, ChangePlan, emptyChangePlan } from './change-plan';
import { mapLimited } from './concurrency';
import { OktaDirectory } from './okta-directory';
import { SyncEventWriter } from './sync-event-writer';

export interface Coverage {
  read: number;
  failed: number;
}

export interface IdentitySyncResult {
  counts: Record<string, number>;
  coverage: Record<string, Coverage>;
  /** Every role holder Okta listed (the next incremental sync reads the roles of new ones). */
  roleHolderIds: string[];
  /** What an incremental sync re-read and why; null for a full sync. */
  reads: IncrementalReads | null;
}

/** An incremental sync: what it builds on. */
export interface IncrementalScope {
  /** Changes are read from here (the base sync's start minus the overlap). */
  changedSince: string;
  /** The role holders of the base sync; null = unknown (read every holder's roles). */
  baseRoleHolders: ReadonlySet<string> | null;
}

export interface ProgressSink {
  (phase: string, done: Record<string, number>): Promise<void>;
}

/** Stops the whole sync: a 401 anywhere, or a whole list that cannot be read. */
export class SyncAbortedError extends Error {
  constructor(
    readonly dataset: string,
    readonly failure: unknown,
  ) {
    super(
      `${dataset} could not be read: ${failure instanceof Error ? failure.message : String(failure)}`,
    );
  }
}

/** One object of a sub-list cannot fit any record: that sub-list is unknown, with this reason. */
export class OversizedItemError extends Error {
  constructor(found: Pick<OversizedItem<unknown>, 'bytes' | 'maxBytes'>) {
    super(oversizedReason(found.bytes, found.maxBytes));
    this.name = 'OversizedItemError';
  }
}

/** Failures that make one sub-resource unknown instead of ending the sync. */
function isSubResourceFailure(error: unknown): boolean {
  return (
    error instanceof OktaApiError &&
    !(error instanceof OktaCredentialsInvalidError) &&
    // a window that resets beyond what a sync may wait stops every later call too
    !(error instanceof OktaRateLimitWaitTooLongError)
  );
}

function reasonOf(error: unknown): string {
  if (error instanceof OversizedItemError) return error.message;
  if (error instanceof OktaApiError)
    return `${error.name}: HTTP ${error.status ?? '-'} ${error.oktaErrorCode ?? ''}`.trim();
  return error instanceof Error ? error.name : 'unknown error';
}

/**
 * One identity sync, streamed: each page is published as soon as it is read
 * and nothing holds the whole org. Sub-resources (a user's factors, a group's
 * members, an app's assignments) that cannot be read after the client's
 * retries are published as *unknown*, never as empty, and counted in coverage.
 * A 401 anywhere, or a failed top-level list, aborts the sync.
 */
export class IdentitySyncRunner {
  private readonly counts: Record<string, number> = {
    users: 0,
    deprovisionedUsers: 0,
    factors: 0,
    roleHolders: 0,
    groups: 0,
    groupMemberships: 0,
    groupsWithRoles: 0,
    apps: 0,
    appUserAssignments: 0,
    appGroupAssignments: 0,
  };
  /**
   * `users`, `groups`, `apps`: objects published whole (`read`) or as a
   * trimmed copy because they exceed the record limit (`failed`).
   */
  private readonly coverage: Record<string, Coverage> = {
    users: { read: 0, failed: 0 },
    groups: { read: 0, failed: 0 },
    apps: { read: 0, failed: 0 },
    factors: { read: 0, failed: 0 },
    userRoles: { read: 0, failed: 0 },
    roleAssignees: { read: 0, failed: 0 },
    groupMembers: { read: 0, failed: 0 },
    groupRoles: { read: 0, failed: 0 },
    appUsers: { read: 0, failed: 0 },
    appGroups: { read: 0, failed: 0 },
  };

  private plan: ChangePlan = emptyChangePlan();
  private readonly roleHolders = new Set<string>();
  /** Groups whose member lists this sync re-read (their apps' GROUP assignments may have changed). */
  private readonly rereadGroups = new Set<string>();
  private readonly reads: IncrementalReads = {
    logEvents: 0,
    users: { byLastUpdated: 0, byEvent: 0 },
    factors: 0,
    groupMembers: 0,
    groupRoles: 0,
    appAssignments: 0,
  };

  /** `incremental`: null for a full sync (read everything). */
  constructor(
    private readonly okta: OktaDirectory,
    private readonly writer: SyncEventWriter,
    private readonly progress: ProgressSink,
    private readonly concurrency: number,
    private readonly incremental: IncrementalScope | null = null,
  ) {}

  /** Created or changed (`at`) after the change window began. */
  private since(at: string | null | undefined): boolean {
    return !!this.incremental && !!at && at > this.incremental.changedSince;
  }

  /**
   * Users (+ factors, then roles), groups and apps run side by side: they
   * spend different Okta rate-limit buckets, so the sync approaches the
   * slowest bucket's floor instead of the sum of all. The first failure stops
   * the other branches at their next publish, and the run waits for all of
   * them, so nothing is published after the outcome.
   */
  async run(): Promise<IdentitySyncResult> {
    if (this.incremental) await this.readChangeEvents(this.incremental.changedSince);
    // An incremental sync reads the apps after the groups: a group whose members
    // changed changes the GROUP-scope assignments of the apps it is assigned to.
    const branches = (
      this.incremental
        ? [
            this.syncUsers().then(() => this.syncRoles()),
            this.syncGroups().then(() => this.syncApps()),
          ]
        : [this.syncUsers().then(() => this.syncRoles()), this.syncGroups(), this.syncApps()]
    ).map((branch) =>
      branch.catch((error: unknown) => {
        this.writer.abort(error);
        throw error;
      }),
    );
    const results = await Promise.allSettled(branches);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw this.writer.abortReason() ?? failed.reason;
    return {
      counts: { ...this.counts },
      coverage: structuredClone(this.coverage),
      roleHolderIds: [...this.roleHolders].sort(),
      reads: this.incremental ? structuredClone(this.reads) : null,
    };
  }

  /** The change events since the window began: what the listings cannot show. */
  private async readChangeEvents(since: string): Promise<void> {
    for await (const events of this.wholeList(
      'changeEvents',
      this.okta.listLogEventsSince(since, ALL_CHANGE_EVENT_TYPES),
    ))
      for (const event of events) addChangeEvent(this.plan, event);
    this.reads.logEvents = this.plan.events;
  }

  /** A 401 on any call ends the sync; anything else is the sub-resource's own failure. */
  private async subResource<T>(
    dataset: string,
    read: () => Promise<T>,
  ): Promise<{ ok: true; value: T } | { ok: false; reason: string }> {
    const coverage = this.coverage[dataset] ?? (this.coverage[dataset] = { read: 0, failed: 0 });
    try {
      const value = await read();
      coverage.read += 1;
      return { ok: true, value };
    } catch (error) {
      // Only Okta's answers (and an object no record can hold) make a
      // sub-resource unknown; a 401, a publish failure or a lost lease end the
      // whole sync.
      if (error instanceof OversizedItemError) {
        coverage.failed += 1;
        return { ok: false, reason: error.message };
      }
      if (!isSubResourceFailure(error)) throw error;
      coverage.failed += 1;
      return { ok: false, reason: reasonOf(error) };
    }
  }

  private async *wholeList<T>(dataset: string, pages: AsyncIterable<T[]>): AsyncGenerator<T[]> {
    try {
      for await (const page of pages) yield page;
    } catch (error) {
      if (error instanceof OktaCredentialsInvalidError) throw error;
      throw new SyncAbortedError(dataset, error);
    }
  }

  private async syncUsers(): Promise<void> {
    let pages = 0;
    const seen = new Set<string>();
    const source = this.incremental
      ? this.okta.listUsersUpdatedSince(this.incremental.changedSince)
      : this.okta.listUsers();
    for await (const users of this.wholeList('users', source)) {
      await this.writer.emitSplit(
        'UsersPage',
        users,
        (chunk) => ({ users: chunk }),
        (found) => this.trimmed('users', trimUser(found.item, found.bytes, found.maxBytes)),
      );
      this.coverage.users!.read += users.length;
      this.counts.users! += users.length;
      this.counts.deprovisionedUsers! += users.filter((u) => u.status === 'DEPROVISIONED').length;
      users.forEach((u) => seen.add(u.id));
      this.reads.users.byLastUpdated += this.incremental ? users.length : 0;
      // Incremental: factors only of new users and of users a factor or lifecycle event names.
      await this.syncFactors(
        this.incremental
          ? users.filter((u) => this.since(u.created) || this.plan.factorUsers.has(u.id))
          : users,
      );
      pages += 1;
      if (pages % 5 === 0)
        await this.progress('users', {
          users: this.counts.users!,
          factors: this.coverage.factors!.read,
        });
    }
    if (this.incremental) await this.syncUsersNamedInEvents(seen);
    await this.progress('users', {
      users: this.counts.users!,
      factors: this.coverage.factors!.read,
    });
  }

  /**
   * Incremental: a user whose deletion was logged is read by id (404 = gone,
   * published as UsersDeleted); users whose factors changed without a newer
   * `lastUpdated` get their factors read.
   */
  private async syncUsersNamedInEvents(listed: ReadonlySet<string>): Promise<void> {
    const deleted: string[] = [];
    const found: OktaUser[] = [];
    const named = [...this.plan.deletedUsers].filter((id) => !listed.has(id)).sort();
    await mapLimited(named, this.concurrency, async (userId) => {
      try {
        const user = await this.okta.getUser(userId);
        if (user) found.push(user);
        else deleted.push(userId);
      } catch (error) {
        throw new SyncAbortedError('users', error);
      }
    });
    if (found.length) {
      await this.writer.emitSplit(
        'UsersPage',
        found,
        (chunk) => ({ users: chunk }),
        (item) => this.trimmed('users', trimUser(item.item, item.bytes, item.maxBytes)),
      );
      this.coverage.users!.read += found.length;
      this.counts.users! += found.length;
    }
    this.reads.users.byEvent += found.length + deleted.length;
    if (deleted.length) {
      deleted.sort();
      this.counts.deletedUsers = deleted.length;
      await this.writer.emitSplit(
        'UsersDeleted',
        deleted,
        (chunk) => ({ userIds: chunk }),
        refuseOversized,
      );
    }
    // The listing already read the factors of the users it returned.
    const gone = new Set(deleted);
    const factorOnly = [...this.plan.factorUsers]
      .filter((id) => !gone.has(id) && !listed.has(id))
      .sort()
      .map((id) => ({ id }));
    await this.syncFactors(factorOnly);
  }

  private async syncFactors(users: Array<{ id: string }>): Promise<void> {
    if (users.length === 0) return;
    this.reads.factors += this.incremental ? users.length : 0;
    const results = await mapLimited(users, this.concurrency, async (user) => {
      const result = await this.subResource('factors', () => this.okta.listUserFactors(user.id));
      if (result.ok) {
        this.counts.factors! += result.value.length;
        return { userId: user.id, status: 'read' as const, items: result.value };
      }
      return { userId: user.id, status: 'unknown' as const, reason: result.reason };
    });
    await this.writer.emitSplit(
      'UserFactorsBatch',
      results,
      (chunk) => ({ users: chunk }),
      (found) => {
        if (found.item.status === 'read') this.counts.factors! -= found.item.items.length;
        return this.unknownPerUser('factors', found);
      },
    );
  }

  /**
   * A user's factors or roles too large for any record: that user's list is
   * unknown (never empty), and the dataset counts it as failed, not read.
   */
  private unknownPerUser(
    dataset: 'factors' | 'userRoles',
    found: OversizedItem<{ userId: string }>,
  ): { userId: string; status: 'unknown'; reason: string } {
    const coverage = this.coverage[dataset]!;
    coverage.read -= 1;
    coverage.failed += 1;
    return {
      userId: found.item.userId,
      status: 'unknown',
      reason: oversizedReason(found.bytes, found.maxBytes),
    };
  }

  /**
   * An object of a page too large for any record. Page events have no
   * "unknown", and dropping it would let the projector sweep it as removed,
   * so it goes out trimmed to the fields evidence reads (with a
   * `regentraTrimmed` marker) and counts as failed in its dataset's coverage,
   * which makes the sync's evidence incomplete instead of silently wrong.
   */
  private trimmed<T>(dataset: 'users' | 'groups' | 'apps', copy: T): T {
    const coverage = this.coverage[dataset]!;
    coverage.read -= 1;
    coverage.failed += 1;
    return copy;
  }

  /** Role holders come from /iam/assignees/users, so only they cost a roles call. */
  private async syncRoles(): Promise<void> {
    const pages = this.okta.listRoleAssigneeUsers();
    try {
      for await (const holders of pages) {
        holders.forEach((id) => this.roleHolders.add(id));
        // Incremental: roles only of new holders and of users a privilege event names.
        const ids = this.incremental
          ? holders.filter(
              (id) => this.plan.roleUsers.has(id) || !this.incremental?.baseRoleHolders?.has(id),
            )
          : holders;
        this.counts.roleHolders! += await this.syncUserRoles(ids);
      }
      this.coverage.roleAssignees!.read += 1;
      if (this.incremental) await this.syncRolesOfFormerHolders();
    } catch (error) {
      if (!isSubResourceFailure(error)) throw error;
      // A read-only token may not list role holders: roles become unknown, the sync goes on.
      this.coverage.roleAssignees!.failed += 1;
    }
    await this.progress('roles', { roleHolders: this.counts.roleHolders! });
  }

  /** Incremental: a user a privilege event names who no longer holds a role: read (an empty list). */
  private async syncRolesOfFormerHolders(): Promise<void> {
    const former = [...this.plan.roleUsers].filter((id) => !this.roleHolders.has(id)).sort();
    if (former.length > 0) await this.syncUserRoles(former);
  }

  /** Reads and publishes the roles of these users (UserRolesBatch); returns how many. */
  private async syncUserRoles(userIds: string[]): Promise<number> {
    const results = await mapLimited(userIds, this.concurrency, async (userId) => {
      const result = await this.subResource('userRoles', () => this.okta.listUserRoles(userId));
      if (result.ok) return { userId, status: 'read' as const, items: result.value };
      return { userId, status: 'unknown' as const, reason: result.reason };
    });
    await this.writer.emitSplit(
      'UserRolesBatch',
      results,
      (chunk) => ({ users: chunk }),
      (found) => this.unknownPerUser('userRoles', found),
    );
    return results.length;
  }

  private async syncGroups(): Promise<void> {
    for await (const groups of this.wholeList('groups', this.okta.listGroups())) {
      await this.writer.emitSplit(
        'GroupsPage',
        groups,
        (chunk) => ({ groups: chunk }),
        (found) => this.trimmed('groups', trimGroup(found.item, found.bytes, found.maxBytes)),
      );
      this.coverage.groups!.read += groups.length;
      this.counts.groups! += groups.length;
      await mapLimited(groups, Math.max(1, Math.floor(this.concurrency / 2)), async (group) => {
        const isNew = this.since(group.created as string | undefined);
        // Incremental: members of groups whose membership changed, roles of groups a privilege event names.
        if (
          !this.incremental ||
          isNew ||
          this.plan.memberGroups.has(group.id) ||
          this.since(group.lastMembershipUpdated as string | undefined)
        ) {
          this.rereadGroups.add(group.id);
          if (this.incremental) this.reads.groupMembers += 1;
          await this.syncGroupMembers(group.id);
        }
        if (!this.incremental || isNew || this.plan.roleGroups.has(group.id)) {
          if (this.incremental) this.reads.groupRoles += 1;
          await this.syncGroupRoles(group.id);
        }
      });
      await this.progress('groups', {
        groups: this.counts.groups!,
        groupMemberships: this.counts.groupMemberships!,
      });
    }
  }

  /** GroupRoles has no parts: a role list too large for one record makes it unknown. */
  private async syncGroupRoles(groupId: string): Promise<void> {
    const roles = await this.subResource('groupRoles', async () => {
      const list = await this.okta.listGroupRoles(groupId);
      this.writer.split(
        'GroupRoles',
        [list],
        () => ({ groupId, status: 'read', roles: [] }),
        refuseOversized,
      );
      return list;
    });
    // A full sync leaves out groups without roles; an incremental one says "none now".
    if (roles.ok && roles.value.length === 0 && !this.incremental) return;
    if (roles.ok) this.counts.groupsWithRoles! += 1;
    await this.writer.emit(
      'GroupRoles',
      roles.ok
        ? { groupId, status: 'read', roles: roles.value }
        : { groupId, status: 'unknown', roles: [], reason: roles.reason },
    );
  }

  /**
   * Streams a paged sub-list as parts split by encoded size, one part behind,
   * so the last part is flagged without holding the whole list. An item too
   * large for any record (`split` throws OversizedItemError) or a failed
   * read ends the list with an unknown part.
   */
  private async streamParts<T>(
    dataset: string,
    pages: AsyncIterable<T[]>,
    split: (items: T[]) => T[][],
    emit: (items: T[], part: number, lastPart: boolean) => Promise<void>,
    emitUnknown: (part: number, reason: string) => Promise<void>,
  ): Promise<number> {
    let held: T[] | null = null;
    let part = 0;
    let total = 0;
    const result = await this.subResource(dataset, async () => {
      for await (const page of pages) {
        for (const chunk of split(page)) {
          if (held) {
            await emit(held, part, false);
            part += 1;
          }
          held = chunk;
        }
        total += page.length;
      }
    });
    if (!result.ok) {
      await emitUnknown(part, result.reason);
      return 0;
    }
    await emit(held ?? [], part, true);
    return total;
  }

  private async syncGroupMembers(groupId: string): Promise<void> {
    const members = await this.streamParts(
      'groupMembers',
      idsOf(this.okta.listGroupMembers(groupId)),
      (ids) =>
        this.writer.split(
          'GroupMembers',
          ids,
          (memberIds) => ({ groupId, status: 'read', part: 0, lastPart: false, memberIds }),
          refuseOversized,
        ),
      (memberIds, part, lastPart) =>
        this.writer.emit('GroupMembers', { groupId, status: 'read', part, lastPart, memberIds }),
      (part, reason) =>
        this.writer.emit('GroupMembers', {
          groupId,
          status: 'unknown',
          part,
          lastPart: true,
          memberIds: [],
          reason,
        }),
    );
    this.counts.groupMemberships! += members;
  }

  /**
   * Incremental: an app's assignments are re-read when an event names it, it
   * is new or changed, or a group assigned to it had its members re-read (its
   * GROUP-scope users changed). Reading its group assignments costs one call;
   * when they cannot be read, the app is re-read whole.
   */
  private async assignmentsChanged(app: {
    id: string;
    created?: unknown;
    lastUpdated?: unknown;
  }): Promise<boolean> {
    if (
      this.plan.everyApp ||
      this.plan.assignmentApps.has(app.id) ||
      this.since(app.created as string | undefined) ||
      this.since(app.lastUpdated as string | undefined)
    )
      return true;
    if (this.rereadGroups.size === 0) return false;
    try {
      for await (const page of this.okta.listAppGroups(app.id))
        if (page.some((g) => this.rereadGroups.has(g.id))) return true;
      return false;
    } catch (error) {
      if (!isSubResourceFailure(error)) throw error;
      return true;
    }
  }

  private async syncApps(): Promise<void> {
    for await (const apps of this.wholeList('apps', this.okta.listApps())) {
      await this.writer.emitSplit(
        'AppsPage',
        apps,
        (chunk) => ({ apps: chunk }),
        (found) => this.trimmed('apps', trimApp(found.item, found.bytes, found.maxBytes)),
      );
      this.coverage.apps!.read += apps.length;
      this.counts.apps! += apps.length;
      await mapLimited(apps, Math.max(1, Math.floor(this.concurrency / 2)), async (app) => {
        const appId = app.id;
        if (this.incremental && !(await this.assignmentsChanged(app))) return;
        if (this.incremental) this.reads.appAssignments += 1;
        this.counts.appUserAssignments! += await this.streamParts(
          'appUsers',
          this.okta.listAppUsers(appId),
          (items) =>
            this.writer.split(
              'AppUserAssignments',
              items,
              (assignments) => ({ appId, status: 'read', part: 0, lastPart: false, assignments }),
              refuseOversized,
            ),
          (assignments, part, lastPart) =>
            this.writer.emit('AppUserAssignments', {
              appId,
              status: 'read',
              part,
              lastPart,
              assignments,
            }),
          (part, reason) =>
            this.writer.emit('AppUserAssignments', {
              appId,
              status: 'unknown',
              part,
              lastPart: true,
              assignments: [],
              reason,
            }),
        );
        this.counts.appGroupAssignments! += await this.streamParts(
          'appGroups',
          this.okta.listAppGroups(appId),
          (items) =>
            this.writer.split(
              'AppGroupAssignments',
              items,
              (assignments) => ({ appId, status: 'read', part: 0, lastPart: false, assignments }),
              refuseOversized,
            ),
          (assignments, part, lastPart) =>
            this.writer.emit('AppGroupAssignments', {
              appId,
              status: 'read',
              part,
              lastPart,
              assignments,
            }),
          (part, reason) =>
            this.writer.emit('AppGroupAssignments', {
              appId,
              status: 'unknown',
              part,
              lastPart: true,
              assignments: [],
              reason,
            }),
        );
      });
      await this.progress('apps', {
        apps: this.counts.apps!,
        appUserAssignments: this.counts.appUserAssignments!,
      });
    }
  }
}

/** For sub-lists: an item no record can hold makes the whole sub-list unknown. */
function refuseOversized(found: OversizedItem<unknown>): never {
  throw new OversizedItemError(found);
}

async function* idsOf(pages: AsyncIterable<Array<{ id: string }>>): AsyncGenerator<string[]> {
  for await (const page of pages) yield page.map((item) => item.id);
}
