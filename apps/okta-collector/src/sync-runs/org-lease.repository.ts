import { Inject, Injectable } from '@nestjs/common';
import { Collection, Db, MongoServerError } from 'mongodb';
import { COLLECTOR_DB } from '../platform/mongo.providers';

export const ORG_LEASES_COLLECTION = 'org_leases';

/** Who may sync an org right now; `fence` grows with every new holder. */
export interface OrgLeaseDoc {
  _id: string; // orgId
  holder: string | null;
  fence: number;
  expiresAt: Date;
  acquiredAt: Date;
}

/** A held lease: the fence token proves, at every write, that it is still ours. */
export interface HeldLease {
  orgId: string;
  holder: string;
  fence: number;
  expiresAt: Date;
}

/**
 * Per-org mutual exclusion across collector instances, in the collector
 * database (partition ownership is not enough during a rebalance). Acquire is
 * one atomic findOneAndUpdate; a crashed holder's lease is taken over once it
 * expires, with a higher fence, and the old holder's next renew fails.
 */
@Injectable()
export class OrgLeaseRepository {
  private readonly collection: Collection<OrgLeaseDoc>;

  constructor(@Inject(COLLECTOR_DB) db: Db) {
    this.collection = db.collection<OrgLeaseDoc>(ORG_LEASES_COLLECTION);
  }

  async acquire(
    orgId: string,
    holder: string,
    now: Date,
    ttlMs: number,
  ): Promise<HeldLease | null> {
    const expiresAt = new Date(now.getTime() + ttlMs);
    try {
      const doc = await this.collection.findOneAndUpdate(
        { _id: orgId, $or: [{ holder: null }, { expiresAt: { $lte: now } }] },
        { $set: { holder, expiresAt, acquiredAt: now }, $inc: { fence: 1 } },
        { upsert: true, returnDocument: 'after' },
      );
      return doc && doc.holder === holder ? { orgId, holder, fence: doc.fence, expiresAt } : null;
    } catch (error) {
      // The lease exists and is held (the filter missed, the upsert hit the _id): not ours.
      if (error instanceof MongoServerError && error.code === 11000) return null;
      throw error;
    }
  }

  /** Extends a lease we still hold; false means it was taken over (stop writing). */
  async renew(lease: HeldLease, now: Date, ttlMs: number): Promise<boolean> {
    const expiresAt = new Date(now.getTime() + ttlMs);
    const result = await this.collection.updateOne(
      { _id: lease.orgId, holder: lease.holder, fence: lease.fence, expiresAt: { $gt: now } },
      { $set: { expiresAt } },
    );
    if (result.matchedCount === 1) lease.expiresAt = expiresAt;
    return result.matchedCount === 1;
  }

  async release(lease: HeldLease): Promise<void> {
    await this.collection.updateOne(
      { _id: lease.orgId, holder: lease.holder, fence: lease.fence },
      { $set: { holder: null, expiresAt: new Date(0) } },
    );
  }
}
