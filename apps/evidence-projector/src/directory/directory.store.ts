import { Inject, Injectable } from '@nestjs/common';
import { Collection, Db } from 'mongodb';
import { PROJECTOR_DB } from '../platform/mongo.providers';
import type { OktaAppDocument } from './okta-app.document';
import type { OktaGroupDocument } from './okta-group.document';
import type { OktaUserDocument } from './okta-user.document';

export const OKTA_USERS = 'okta_users';
export const OKTA_GROUPS = 'okta_groups';
export const OKTA_APPS = 'okta_apps';
export const OKTA_DIRECTORY_HEADS = 'okta_directory_heads';

/**
 * ★ An `okta_directory_heads` document: which sync's documents the org's
 * directory holds whole (docs/read-models.md, Directory heads). `writing` is
 * the sync being written (its documents are half replaced) or null. Nothing
 * in it counts writes or reads the clock (`updatedAt` is the sync's
 * completion), so a replay, folded or not, writes the same head.
 */
export interface DirectoryHeadDocument {
  /** The org id. */
  _id: string;
  /** The last sync written whole (null: none since heads were kept). */
  syncId: string | null;
  writing: string | null;
  updatedAt: string;
}

/**
 * The directory read models (`okta_users`, `okta_groups`, `okta_apps`), typed.
 * Only the directory slice writes them (the materializer); other slices read
 * them through DirectoryReader.
 */
@Injectable()
export class DirectoryStore {
  readonly users: Collection<OktaUserDocument>;
  readonly groups: Collection<OktaGroupDocument>;
  readonly apps: Collection<OktaAppDocument>;
  private readonly heads: Collection<DirectoryHeadDocument>;

  constructor(@Inject(PROJECTOR_DB) db: Db) {
    this.heads = db.collection<DirectoryHeadDocument>(OKTA_DIRECTORY_HEADS);
    this.users = db.collection<OktaUserDocument>(OKTA_USERS);
    this.groups = db.collection<OktaGroupDocument>(OKTA_GROUPS);
    this.apps = db.collection<OktaAppDocument>(OKTA_APPS);
  }

  async ensureIndexes(): Promise<void> {
    for (const collection of [this.users, this.groups, this.apps] as Array<
      Collection<OktaUserDocument | OktaGroupDocument | OktaAppDocument>
    >) {
      await collection.createIndex({ orgId: 1, removed: 1 });
      await collection.createIndex({ orgId: 1, lastSeenSyncId: 1 });
    }
    await this.users.createIndex({ orgId: 1, status: 1 });
  }

  /** The org's head, or null (no sync written since heads were kept). */
  headOf(orgId: string): Promise<DirectoryHeadDocument | null> {
    return this.heads.findOne({ _id: orgId });
  }

  /**
   * Before the first delete of a sync's write: from now until `writeEnded`
   * the org's documents are not whole, and nothing computes evidence of them.
   */
  async writeBegan(orgId: string, syncId: string, at: string): Promise<void> {
    await this.heads.updateOne(
      { _id: orgId },
      {
        $set: { writing: syncId, updatedAt: at },
        $setOnInsert: { syncId: null },
      },
      { upsert: true },
    );
  }

  /** After a sync's last insert: its documents are the org's, whole (one write). */
  async writeEnded(orgId: string, syncId: string, at: string): Promise<void> {
    await this.heads.updateOne(
      { _id: orgId },
      { $set: { syncId, writing: null, updatedAt: at } },
      { upsert: true },
    );
  }

  /**
   * Deletes every document of the org (a new evidence history begins on
   * empty read models; the old one's evidence stays in its snapshots).
   */
  async forgetOrg(orgId: string): Promise<void> {
    await this.users.deleteMany({ orgId });
    await this.groups.deleteMany({ orgId });
    await this.apps.deleteMany({ orgId });
  }

  /** The org's current (not removed) users. */
  usersOf(orgId: string): Promise<OktaUserDocument[]> {
    return this.users.find({ orgId, removed: false }).toArray();
  }

  /** The org's users marked removed by a sync that completed at or after `since`. */
  removedUsersSince(orgId: string, since: string): Promise<OktaUserDocument[]> {
    return this.users.find({ orgId, removed: true, removedAt: { $gte: since } }).toArray();
  }

  /** The org's current (not removed) groups. */
  groupsOf(orgId: string): Promise<OktaGroupDocument[]> {
    return this.groups.find({ orgId, removed: false }).toArray();
  }

  /** The org's current (not removed) apps. */
  appsOf(orgId: string): Promise<OktaAppDocument[]> {
    return this.apps.find({ orgId, removed: false }).toArray();
  }
}
