import {
  IdentityEvent,
  IncrementalReads,
  OktaUser,
  trimApp,
  trimGroup,
  trimUser,
} from '@regentra/contracts';
import { OktaCredentialsInvalidError } from '../okta-client/okta-errors';
import { addChangeEvent, ALL_CHANGE_EVENT_TYPES, ChangePlan, emptyChangePlan } from './change-plan';
import { mapLimited } from './concurrency';
import {
  ChangeContext,
  DatasetCounts,
  DatasetCoverage,
  DatasetKey,
  emptyCounts,
  IDENTITY_DATASETS,
  ListedObject,
  PerUserKey,
  RereadWhenKey,
  SyncCounts,
  UnreadIds,
} from './datasets';
import { DatasetTally } from './dataset-tally';
import { OktaDirectory } from './okta-directory';
import { OF_LISTED_USERS, PerUserReader } from './per-user-reader';
import { APP_GROUPS, APP_USERS, GROUP_MEMBERS, idsOf, Parts, PartsRecord } from './parts-records';
import { isSubResourceFailure, refuseOversized, SyncAbortedError } from './read-failures';
import { SyncEventWriter } from './sync-event-writer';

export interface IdentitySyncResult {
  counts: SyncCounts;
  coverage: DatasetCoverage;
  /** Every role holder Okta listed (the next incremental sync reads the roles of new ones). */
  roleHolderIds: string[];
  /** What an incremental sync re-read and why; null for a full sync. */
  reads: IncrementalReads | null;
  /**
   * Per dataset, the ids of the objects this sync could not read (at most
   * UNREAD_REREAD_MAX each): the next incremental sync re-reads them (datasets.ts).
   */
  unread: UnreadIds;
  /** Per dataset, how many of the objects the base sync could not read this sync read again. */
  rereadUnread: DatasetCounts;
}

/** An incremental sync: what it builds on. */
export interface IncrementalScope {
  /** Changes are read from here (the base sync's start minus the overlap). */
  changedSince: string;
  /** The role holders of the base sync; null = unknown (read every holder's roles). */
  baseRoleHolders: ReadonlySet<string> | null;
  /** Per dataset, the objects the base sync could not read: this sync reads them again. */
  unread: UnreadIds;
}

export interface ProgressSink {
  (phase: string, done: Record<string, number>): Promise<void>;
}

/** The ids of `a` and `b`, each once. */
function union(a: Iterable<string>, b: Iterable<string>): string[] {
  return [...new Set([...a, ...b])];
}

/**
 * One identity sync, streamed: each page is published as soon as it is read
 * and nothing holds the whole org. Sub-resources (a user's factors, a group's
 * members, an app's assignments) that cannot be read after the client's
 * retries are published as *unknown*, never as empty, counted in coverage and
 * recorded by id, so the next incremental sync reads them again. A 401
 * anywhere, or a failed top-level list, aborts the sync. What each dataset
 * lists, and when an incremental sync re-reads it, is `IDENTITY_DATASETS`.
 */
export class IdentitySyncRunner {
  private readonly counts = emptyCounts();
  private readonly tally: DatasetTally;
  private readonly perUser: PerUserReader;

  private readonly plan: ChangePlan = emptyChangePlan();
  /** null for a full sync: every object of every dataset is read. */
  private readonly change: ChangeContext | null;
  private readonly roleHolders = new Set<string>();
  /** Groups whose member lists this sync re-read (their apps' GROUP assignments may have changed). */
  private readonly rereadGroups = new Set<string>();
  /** Tallied in every sync, published only by an incremental one. */
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
  ) {
    this.tally = new DatasetTally(incremental?.unread);
    this.perUser = new PerUserReader(okta, writer, this.tally, this.counts, concurrency);
    const changedSince = incremental?.changedSince;
    this.change =
      changedSince === undefined
        ? null
        : {
            plan: this.plan,
            since: (at) => typeof at === 'string' && at > changedSince,
            baseRoleHolders: incremental?.baseRoleHolders ?? null,
          };
  }

  /**
   * Whether this sync reads `key` of `object`: a full sync reads everything;
   * an incremental one what the dataset's rule names and what the base
   * sync could not read.
   */
  private wants(key: RereadWhenKey, object: ListedObject): boolean {
    return (
      !this.change ||
      IDENTITY_DATASETS[key].incremental.rereads(object, this.change) ||
      this.tally.baseUnread[key].has(object.id)
    );
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
      coverage: structuredClone(this.tally.coverage),
      roleHolderIds: [...this.roleHolders].sort(),
      reads: this.incremental ? structuredClone(this.reads) : null,
      ...this.tally.outcome(),
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
      await this.publishUsers(users);
      this.counts.deprovisionedUsers += users.filter((u) => u.status === 'DEPROVISIONED').length;
      users.forEach((u) => seen.add(u.id));
      this.reads.users.byLastUpdated += users.length;
      for (const key of OF_LISTED_USERS)
        await this.syncPerUser(
          key,
          users.filter((u) => this.wants(key, u)).map((u) => u.id),
        );
      pages += 1;
      if (pages % 5 === 0) await this.progress('users', this.usersProgress());
    }
    await this.syncUsersNamedInEvents(seen);
    await this.progress('users', this.usersProgress());
  }

  /** Users published, and per dataset read for them the users it read (`factors`…). */
  private usersProgress(): Record<string, number> {
    const done: Record<string, number> = { users: this.counts.users };
    for (const key of OF_LISTED_USERS) done[key] = this.tally.coverage[key].read;
    return done;
  }

  /** UsersPage records; a user too large for any record goes out trimmed and counts failed. */
  private async publishUsers(users: OktaUser[]): Promise<void> {
    await this.writer.emitSplit(
      'UsersPage',
      users,
      (chunk) => ({ users: chunk }),
      (found) => {
        this.tally.readThenFailed('users', found.item.id);
        return trimUser(found.item, found.bytes, found.maxBytes);
      },
    );
    this.tally.coverage.users.read += users.length;
    this.counts.users += users.length;
    for (const u of users)
      if (this.tally.baseUnread.users.has(u.id)) this.tally.rereadUnread.users += 1;
  }

  /**
   * Incremental: a user whose deletion was logged, or whom the base sync could
   * only publish trimmed, is read by id (404 = gone, published as
   * UsersDeleted); users whose factors changed without a newer `lastUpdated`,
   * or whose factors the base could not read, get their factors read. A full
   * sync has no such users.
   */
  private async syncUsersNamedInEvents(listed: ReadonlySet<string>): Promise<void> {
    const deleted: string[] = [];
    const found: OktaUser[] = [];
    const named = union(this.plan.deletedUsers, this.tally.baseUnread.users)
      .filter((id) => !listed.has(id))
      .sort();
    await mapLimited(named, this.concurrency, async (userId) => {
      try {
        const user = await this.okta.getUser(userId);
        if (user) found.push(user);
        else deleted.push(userId);
      } catch (error) {
        throw new SyncAbortedError('users', error);
      }
    });
    if (found.length) await this.publishUsers(found);
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
    // The listing already read the per-user datasets of the users it returned.
    const gone = new Set(deleted);
    for (const key of OF_LISTED_USERS) {
      const only = union(
        IDENTITY_DATASETS[key].perUser.named(this.plan),
        this.tally.baseUnread[key],
      )
        .filter((id) => !gone.has(id) && !listed.has(id))
        .sort();
      await this.syncPerUser(key, only);
    }
  }

  /** A per-user dataset of listed users: read for these users, when there are any. */
  private async syncPerUser(key: PerUserKey, userIds: string[]): Promise<void> {
    if (userIds.length === 0) return;
    const { reads } = IDENTITY_DATASETS[key].perUser;
    if (reads) this.reads[reads] += userIds.length;
    await this.perUser.read(key, userIds);
  }

  /** Role holders come from /iam/assignees/users, so only they cost a roles call. */
  private async syncRoles(): Promise<void> {
    const pages = this.okta.listRoleAssigneeUsers();
    try {
      for await (const holders of pages) {
        holders.forEach((id) => this.roleHolders.add(id));
        const ids = holders.filter((id) => this.wants('userRoles', { id }));
        this.counts.roleHolders += await this.perUser.read('userRoles', ids);
      }
      this.tally.coverage.roleAssignees.read += 1;
      await this.syncRolesOfFormerHolders();
    } catch (error) {
      if (!isSubResourceFailure(error)) throw error;
      // A read-only token may not list role holders: roles become unknown, the sync goes on.
      this.tally.failed('roleAssignees', null);
    }
    await this.progress('roles', { roleHolders: this.counts.roleHolders });
  }

  /**
   * Incremental: a user a privilege event names, or whose roles the base could
   * not read, who no longer holds a role: read (an empty list).
   */
  private async syncRolesOfFormerHolders(): Promise<void> {
    const former = union(
      IDENTITY_DATASETS.userRoles.perUser.named(this.plan),
      this.tally.baseUnread.userRoles,
    )
      .filter((id) => !this.roleHolders.has(id))
      .sort();
    if (former.length > 0) await this.perUser.read('userRoles', former);
  }

  private async syncGroups(): Promise<void> {
    for await (const groups of this.wholeList('groups', this.okta.listGroups())) {
      await this.writer.emitSplit(
        'GroupsPage',
        groups,
        (chunk) => ({ groups: chunk }),
        (found) => {
          this.tally.readThenFailed('groups', found.item.id);
          return trimGroup(found.item, found.bytes, found.maxBytes);
        },
      );
      this.tally.coverage.groups.read += groups.length;
      this.counts.groups += groups.length;
      await mapLimited(groups, Math.max(1, Math.floor(this.concurrency / 2)), async (group) => {
        if (this.wants('groupMembers', group)) {
          this.rereadGroups.add(group.id);
          this.reads.groupMembers += 1;
          this.counts.groupMemberships += await this.streamParts(
            'groupMembers',
            group.id,
            idsOf(this.okta.listGroupMembers(group.id)),
            GROUP_MEMBERS,
          );
        }
        if (this.wants('groupRoles', group)) {
          this.reads.groupRoles += 1;
          await this.syncGroupRoles(group.id);
        }
      });
      await this.progress('groups', {
        groups: this.counts.groups,
        groupMemberships: this.counts.groupMemberships,
      });
    }
  }

  /** GroupRoles has no parts: a role list too large for one record makes it unknown. */
  private async syncGroupRoles(groupId: string): Promise<void> {
    const roles = await this.tally.subResource('groupRoles', groupId, async () => {
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
    if (roles.ok) this.counts.groupsWithRoles += 1;
    await this.writer.emit(
      'GroupRoles',
      roles.ok
        ? { groupId, status: 'read', roles: roles.value }
        : { groupId, status: 'unknown', roles: [], reason: roles.reason },
    );
  }

  /**
   * Streams a paged sub-list (`key` of the object `parentId`) as parts split
   * by encoded size, one part behind, so the last part is flagged without
   * holding the whole list. An item too large for any record (`split` throws
   * OversizedItemError) or a failed read ends the list with an unknown part.
   * Returns how many items were read.
   */
  private async streamParts<T extends IdentityEvent['type'], I>(
    key: DatasetKey,
    parentId: string,
    pages: AsyncIterable<I[]>,
    record: PartsRecord<T, I>,
  ): Promise<number> {
    const emit = (parts: Parts<I>) =>
      this.writer.emit(record.type, record.payload(parentId, parts));
    let held: I[] | null = null;
    let part = 0;
    let total = 0;
    const result = await this.tally.subResource(key, parentId, async () => {
      for await (const page of pages) {
        const chunks = this.writer.split(
          record.type,
          page,
          (items) => record.payload(parentId, { status: 'read', part: 0, lastPart: false, items }),
          refuseOversized,
        );
        for (const chunk of chunks) {
          if (held) {
            await emit({ status: 'read', part, lastPart: false, items: held });
            part += 1;
          }
          held = chunk;
        }
        total += page.length;
      }
    });
    if (!result.ok) {
      await emit({ status: 'unknown', part, lastPart: true, items: [], reason: result.reason });
      return 0;
    }
    await emit({ status: 'read', part, lastPart: true, items: held ?? [] });
    return total;
  }

  /**
   * Incremental: an app's assignments are re-read on its datasets' rule
   * (`IDENTITY_DATASETS.appUsers`), when the base could not read them, or
   * when a group assigned to it had its members re-read (its GROUP-scope
   * users changed). Reading its group assignments costs one call; when they
   * cannot be read, the app is re-read whole.
   */
  private async assignmentsChanged(app: ListedObject): Promise<boolean> {
    if (this.wants('appUsers', app) || this.wants('appGroups', app)) return true;
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
        (found) => {
          this.tally.readThenFailed('apps', found.item.id);
          return trimApp(found.item, found.bytes, found.maxBytes);
        },
      );
      this.tally.coverage.apps.read += apps.length;
      this.counts.apps += apps.length;
      await mapLimited(apps, Math.max(1, Math.floor(this.concurrency / 2)), async (app) => {
        if (!(await this.assignmentsChanged(app))) return;
        this.reads.appAssignments += 1;
        this.counts.appUserAssignments += await this.streamParts(
          'appUsers',
          app.id,
          this.okta.listAppUsers(app.id),
          APP_USERS,
        );
        this.counts.appGroupAssignments += await this.streamParts(
          'appGroups',
          app.id,
          this.okta.listAppGroups(app.id),
          APP_GROUPS,
        );
      });
      await this.progress('apps', {
        apps: this.counts.apps,
        appUserAssignments: this.counts.appUserAssignments,
      });
    }
  }
}
