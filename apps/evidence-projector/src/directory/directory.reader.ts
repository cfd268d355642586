import { Injectable } from '@nestjs/common';
import { DirectoryHeadDocument, DirectoryStore } from './directory.store';
import { IdentitySyncDoc, IdentitySyncsRepository } from './identity-syncs.repository';
import type { OktaUserDocument } from './okta-user.document';
import type { DirectoryDocuments } from './org-assembly';

/** What other slices may read of the directory: the current documents and the applied syncs. */
@Injectable()
export class DirectoryReader {
  constructor(
    private readonly store: DirectoryStore,
    private readonly syncs: IdentitySyncsRepository,
  ) {}

  /** The org's current users, groups and apps (as the last applied sync left them). */
  async currentOf(orgId: string): Promise<DirectoryDocuments> {
    return {
      users: await this.store.usersOf(orgId),
      groups: await this.store.groupsOf(orgId),
      apps: await this.store.appsOf(orgId),
    };
  }

  /**
   * The org's documents only if they are whole: read between two reads of
   * the org's head, which must agree (a write that began or ended between
   * them changed `writing` or `syncId`), name no write under way and name the
   * last applied sync `syncId` (docs/read-models.md, Directory heads). Null
   * otherwise: a write began, ended or crashed meanwhile (on this instance
   * or another one holding the org's identity partition), or its sync is not
   * yet recorded applied. An org without a head was last written before
   * heads were kept, and is read as before.
   */
  async wholeOf(
    orgId: string,
    syncId: string,
    removedSince: string,
  ): Promise<{ directory: DirectoryDocuments; removedUsers: OktaUserDocument[] } | null> {
    const before = await this.store.headOf(orgId);
    if (!isWhole(before, syncId)) return null;
    const directory = await this.currentOf(orgId);
    const removedUsers = await this.store.removedUsersSince(orgId, removedSince);
    const after = await this.store.headOf(orgId);
    if (!sameHead(before, after)) return null;
    return { directory, removedUsers };
  }

  /** Users the directory marked removed (deleted in Okta) by syncs completed at or after `since`. */
  removedUsersSince(orgId: string, since: string): Promise<OktaUserDocument[]> {
    return this.store.removedUsersSince(orgId, since);
  }

  /** The newest sync of the org already applied to the read models. */
  latestAppliedSync(orgId: string): Promise<IdentitySyncDoc | null> {
    return this.syncs.latestApplied(orgId);
  }
}

/** The head names `syncId` written whole (or is absent: written before heads were kept). */
function isWhole(head: DirectoryHeadDocument | null, syncId: string): boolean {
  return head === null || (head.writing === null && head.syncId === syncId);
}

const sameHead = (a: DirectoryHeadDocument | null, b: DirectoryHeadDocument | null): boolean =>
  a?.syncId === b?.syncId && a?.writing === b?.writing;
