import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Collection, Db } from 'mongodb';
import { COLLECTOR_DB } from '../platform/mongo.providers';
import { SealedToken } from './token-vault';

export type ConnectionState = 'connected' | 'credentials_invalid';

/** One stored Okta connection per org (the collector's own database). */
export interface ConnectionDoc {
  _id: string; // orgId
  orgId: string;
  /** Validated base URL, e.g. https://acme.okta.com */
  baseUrl: string;
  token: SealedToken;
  state: ConnectionState;
  stateReason: string | null;
  tokenOwner: { id: string; login: string | null } | null;
  roles: string[];
  readOnly: boolean | null;
  warnings: string[];
  savedAt: Date;
  lastTestedAt: Date;
  /** Last time Okta accepted the token (every call renews Okta's 30-day idle expiry). */
  tokenLastUsedAt: Date | null;
  /** Bumped on every save: a sync started under an older generation must not mark a newer connection invalid. */
  generation: number;
  lastScheduleSkip: { at: Date; reason: string } | null;
}

@Injectable()
export class ConnectionsRepository implements OnModuleInit {
  readonly collection: Collection<ConnectionDoc>;

  constructor(@Inject(COLLECTOR_DB) db: Db) {
    this.collection = db.collection<ConnectionDoc>('connections');
  }

  async onModuleInit(): Promise<void> {
    await this.collection.createIndex({ state: 1 });
  }

  get(orgId: string): Promise<ConnectionDoc | null> {
    return this.collection.findOne({ _id: orgId });
  }

  async save(
    doc: Omit<ConnectionDoc, '_id' | 'generation' | 'lastScheduleSkip'>,
  ): Promise<ConnectionDoc> {
    const saved = await this.collection.findOneAndUpdate(
      { _id: doc.orgId },
      { $set: { ...doc, lastScheduleSkip: null }, $inc: { generation: 1 } },
      { upsert: true, returnDocument: 'after' },
    );
    if (!saved) throw new Error(`connection of ${doc.orgId} was not saved`);
    return saved;
  }

  async remove(orgId: string): Promise<boolean> {
    const result = await this.collection.deleteOne({ _id: orgId });
    return result.deletedCount === 1;
  }

  async markCredentialsInvalid(
    orgId: string,
    generation: number,
    reason: string,
    at: Date,
  ): Promise<boolean> {
    const result = await this.collection.updateOne(
      { _id: orgId, generation },
      { $set: { state: 'credentials_invalid', stateReason: reason, lastTestedAt: at } },
    );
    return result.modifiedCount === 1;
  }

  async touchTokenUsed(orgId: string, at: Date): Promise<void> {
    await this.collection.updateOne({ _id: orgId }, { $max: { tokenLastUsedAt: at } });
  }

  async recordScheduleSkip(orgId: string, reason: string, at: Date): Promise<void> {
    await this.collection.updateOne({ _id: orgId }, { $set: { lastScheduleSkip: { at, reason } } });
  }

  /** Every connection without its sealed token (the scheduler decides per state). */
  listAll(): Promise<Array<Omit<ConnectionDoc, 'token'>>> {
    return this.collection.find({}, { projection: { token: 0 } }).toArray();
  }
}
