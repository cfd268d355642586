import {
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

  constructor(
    private readonly okta: OktaDirectory,
    private readonly writer: SyncEventWriter,
    private readonly progress: ProgressSink,
    private readonly concurrency: number,
  ) {}

  /**
   * Users (+ factors, then roles), groups and apps run side by side: they
   * spend different Okta rate-limit buckets, so the sync approaches the
   * slowest bucket's floor instead of the sum of all. The first failure stops
   * the other branches at their next publish, and the run waits for all of
   * them, so nothing is published after the outcome.
   */
  async run(): Promise<IdentitySyncResult> {
    const branches = [
      this.syncUsers().then(() => this.syncRoles()),
      this.syncGroups(),
      this.syncApps(),
    ].map((branch) =>
      branch.catch((error: unknown) => {
        this.writer.abort(error);
        throw error;
      }),
    );
    const results = await Promise.allSettled(branches);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw this.writer.abortReason() ?? failed.reason;
    return { counts: { ...this.counts }, coverage: structuredClone(this.coverage) };
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
    for await (const users of this.wholeList('users', this.okta.listUsers())) {
      await this.writer.emitSplit(
        'UsersPage',
        users,
        (chunk) => ({ users: chunk }),
        (found) => this.trimmed('users', trimUser(found.item, found.bytes, found.maxBytes)),
      );
      this.coverage.users!.read += users.length;
      this.counts.users! += users.length;
      this.counts.deprovisionedUsers! += users.filter((u) => u.status === 'DEPROVISIONED').length;
      await this.syncFactors(users);
      pages += 1;
      if (pages % 5 === 0)
        await this.progress('users', {
          users: this.counts.users!,
          factors: this.coverage.factors!.read,
        });
    }
    await this.progress('users', {
      users: this.counts.users!,
      factors: this.coverage.factors!.read,
    });
  }

  private async syncFactors(users: OktaUser[]): Promise<void> {
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
      for await (const ids of pages) {
        const results = await mapLimited(ids, this.concurrency, async (userId) => {
          const result = await this.subResource('userRoles', () => this.okta.listUserRoles(userId));
          if (result.ok) return { userId, status: 'read' as const, items: result.value };
          return { userId, status: 'unknown' as const, reason: result.reason };
        });
        this.counts.roleHolders! += results.length;
        await this.writer.emitSplit(
          'UserRolesBatch',
          results,
          (chunk) => ({ users: chunk }),
          (found) => this.unknownPerUser('userRoles', found),
        );
      }
      this.coverage.roleAssignees!.read += 1;
    } catch (error) {
      if (!isSubResourceFailure(error)) throw error;
      // A read-only token may not list role holders: roles become unknown, the sync goes on.
      this.coverage.roleAssignees!.failed += 1;
    }
    await this.progress('roles', { roleHolders: this.counts.roleHolders! });
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
        await this.syncGroupMembers(group.id);
        await this.syncGroupRoles(group.id);
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
    if (roles.ok && roles.value.length === 0) return;
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
