import { Injectable } from '@nestjs/common';
import { DirectoryStore } from './directory.store';
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

  /** Users the directory marked removed (deleted in Okta) by syncs completed at or after `since`. */
  removedUsersSince(orgId: string, since: string): Promise<OktaUserDocument[]> {
    return this.store.removedUsersSince(orgId, since);
  }

  /** The newest sync of the org already applied to the read models. */
  latestAppliedSync(orgId: string): Promise<IdentitySyncDoc | null> {
    return this.syncs.latestApplied(orgId);
  }
}
