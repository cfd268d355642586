import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Collection, Db } from 'mongodb';
import { COLLECTOR_DB } from '../platform/mongo.providers';
import { ConnectionDoc, ConnectionTestFields, ConnectionView } from './connection.types';
import type { SealedToken } from './token-vault';

export const CONNECTIONS_COLLECTION = 'connections';

/** Everything but the sealed token's secret parts (its key id stays: status shows it). */
const WITHOUT_SECRET = { 'token.iv': 0, 'token.ciphertext': 0, 'token.tag': 0 } as const;

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
    return this.collection.findOne<ConnectionView>({ _id: orgId }, { projection: WITHOUT_SECRET });
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

  /** The stored token opens with no configured key (or opens again: back to connected). */
  async setDecryptable(
    orgId: string,
    generation: number,
    decryptable: boolean,
    reason: string | null,
  ): Promise<boolean> {
    const result = await this.collection.updateOne(
      decryptable
        ? { _id: orgId, generation, state: 'token_undecryptable' }
        : { _id: orgId, generation, state: { $ne: 'token_undecryptable' } },
      { $set: { state: decryptable ? 'connected' : 'token_undecryptable', stateReason: reason } },
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
    return this.collection.find<ConnectionView>({}, { projection: WITHOUT_SECRET }).toArray();
  }

  /** Up to `limit` connections whose token is sealed with another key than `keyId`. */
  /** Tokens the sweep should re-seal: another key, or an older AAD version. */
  sealedWithOtherKeys(
    keyId: string,
    aadVersion: number,
    limit: number,
    skipOrgIds: string[] = [],
  ): Promise<Array<Pick<ConnectionDoc, '_id' | 'baseUrl' | 'token'>>> {
    return this.collection
      .find(
        {
          $or: [{ 'token.keyId': { $ne: keyId } }, { 'token.v': { $ne: aadVersion } }],
          _id: { $nin: skipOrgIds },
        },
        { projection: { token: 1, baseUrl: 1 }, limit },
      )
      .toArray();
  }

  /**
   * Re-sealed token in place, only if it is still the one that was read (a
   * customer's re-save in between wins). Not a new generation: same token.
   */
  async replaceSealed(orgId: string, was: SealedToken, now: SealedToken): Promise<boolean> {
    const result = await this.collection.updateOne(
      { _id: orgId, 'token.keyId': was.keyId, 'token.iv': was.iv },
      { $set: { token: now } },
    );
    return result.modifiedCount === 1;
  }

  /** How many tokens each key id seals. */
  async countByKeyId(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for await (const doc of this.collection.find({}, { projection: { 'token.keyId': 1 } }))
      counts[doc.token.keyId] = (counts[doc.token.keyId] ?? 0) + 1;
    return counts;
  }
}
