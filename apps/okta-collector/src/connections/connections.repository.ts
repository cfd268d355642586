import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Collection, Db } from 'mongodb';
import { COLLECTOR_DB } from '../platform/mongo.providers';
import { ConnectionDoc, ConnectionTestFields, ConnectionView } from './connection.types';

export const CONNECTIONS_COLLECTION = 'connections';

@Injectable()
export class ConnectionsRepository implements OnModuleInit {
  private readonly collection: Collection<ConnectionDoc>;

  constructor(@Inject(COLLECTOR_DB) db: Db) {
    this.collection = db.collection<ConnectionDoc>(CONNECTIONS_COLLECTION);
  }

  async onModuleInit(): Promise<void> {
    await this.collection.createIndex({ state: 1 });
  }

  get(orgId: string): Promise<ConnectionDoc | null> {
    return this.collection.findOne({ _id: orgId });
  }

  /** The connection without its sealed token (what the status API shows). */
  getWithoutToken(orgId: string): Promise<ConnectionView | null> {
    return this.collection.findOne({ _id: orgId }, { projection: { token: 0 } });
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

  /** A re-test passed: connected again, unless the connection was re-saved meanwhile. */
  async recordTestPassed(
    orgId: string,
    generation: number,
    result: ConnectionTestFields,
    now: Date,
  ): Promise<void> {
    await this.collection.updateOne(
      { _id: orgId, generation },
      {
        $set: {
          ...result,
          state: 'connected',
          stateReason: null,
          lastTestedAt: now,
          tokenLastUsedAt: now,
        },
      },
    );
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
  listAll(): Promise<ConnectionView[]> {
    return this.collection.find({}, { projection: { token: 0 } }).toArray();
  }
}
