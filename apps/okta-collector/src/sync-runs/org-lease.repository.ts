import { Inject, Injectable } from '@nestjs/common';
import { Collection, Db, MongoServerError } from 'mongodb';
import { COLLECTOR_DB } from '../platform/mongo.providers';
import { takeOverCutoff } from './run-decisions';

export const ORG_LEASES_COLLECTION = 'org_leases';

/** Who may sync an org right now; `fence` grows with every new holder. */
export interface OrgLeaseDoc {
  _id: string; // orgId
  holder: string | null;
  fence: number;
  /** Last acquire or renew, by the database's clock (`$currentDate`). */
  renewedAt: Date;
  acquiredAt: Date;
  /** Written by releases before the database clock decided expiry; read only for those. */
  expiresAt?: Date;
}

/** A held lease: the fence token proves, at every write, that it is still ours. */
export interface HeldLease {
  orgId: string;
  holder: string;
  fence: number;
  /**
   * Our own deadline, on OUR clock: the local time a renew was sent plus the
   * ttl. Compared only with our own clock (a duration), so skew does not matter;
   * the database renewed at or after that moment, so we stop first.
   */
  expiresAt: Date;
}

/**
 * Per-org mutual exclusion across collector instances, in the collector
 * database (partition ownership is not enough during a rebalance). Acquire is
 * one atomic findOneAndUpdate; a crashed holder's lease is taken over once it
 * has not been renewed for a whole ttl, with a higher fence, and the old
 * holder's next renew fails. Expiry is decided with the database's clock
 * (`$currentDate` on renew, `hello.localTime` when taking over): instances'
 * clocks are never compared with each other.
 */
@Injectable()
export class OrgLeaseRepository {
  private readonly collection: Collection<OrgLeaseDoc>;

  constructor(@Inject(COLLECTOR_DB) private readonly db: Db) {
    this.collection = db.collection<OrgLeaseDoc>(ORG_LEASES_COLLECTION);
  }

  /** The database server's clock. */
  async databaseNow(): Promise<Date> {
    const hello = await this.db.command({ hello: 1 });
    if (!(hello.localTime instanceof Date)) throw new Error('database did not report its time');
    return hello.localTime;
  }

  /** `localNow`: this instance's clock, used only for its own deadline (HeldLease.expiresAt). */
  async acquire(
    orgId: string,
    holder: string,
    localNow: Date,
    ttlMs: number,
  ): Promise<HeldLease | null> {
    const expiresAt = new Date(localNow.getTime() + ttlMs);
    const cutoff = takeOverCutoff(await this.databaseNow(), ttlMs);
    try {
      const doc = await this.collection.findOneAndUpdate(
        {
          _id: orgId,
          $or: [
            { holder: null },
            { renewedAt: { $lte: cutoff } },
            // a lease written before renewedAt existed
            { renewedAt: { $exists: false }, expiresAt: { $lte: cutoff } },
          ],
        },
        {
          $set: { holder },
          $currentDate: { renewedAt: true, acquiredAt: true },
          $inc: { fence: 1 },
        },
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
  async renew(lease: HeldLease, localNow: Date, ttlMs: number): Promise<boolean> {
    const expiresAt = new Date(localNow.getTime() + ttlMs);
    const result = await this.collection.updateOne(
      { _id: lease.orgId, holder: lease.holder, fence: lease.fence },
      { $currentDate: { renewedAt: true } },
    );
    if (result.matchedCount === 1) lease.expiresAt = expiresAt;
    return result.matchedCount === 1;
  }

  /**
   * Orgs whose lease a live holder keeps renewing (by the database's clock):
   * the sweep leaves them alone, any other org with a running request or run
   * has lost its holder.
   */
  async liveOrgs(ttlMs: number): Promise<Set<string>> {
    return new Set((await this.liveHolders(ttlMs)).keys());
  }

  /**
   * Every live lease's holder and fence, by org (one read: the fleet status
   * checks every running run against it at once).
   */
  async liveHolders(ttlMs: number): Promise<Map<string, { holder: string; fence: number }>> {
    const cutoff = takeOverCutoff(await this.databaseNow(), ttlMs);
    const live = await this.collection
      .find({ holder: { $ne: null }, renewedAt: { $gt: cutoff } })
      .toArray();
    return new Map(
      live.map((lease) => [lease._id, { holder: lease.holder ?? '', fence: lease.fence }]),
    );
  }

  /** Whether `holder` under `fence` still holds the org's lease (renewed within the ttl). */
  async isLive(orgId: string, holder: string, fence: number, ttlMs: number): Promise<boolean> {
    const cutoff = takeOverCutoff(await this.databaseNow(), ttlMs);
    const lease = await this.collection.findOne({
      _id: orgId,
      holder,
      fence,
      renewedAt: { $gt: cutoff },
    });
    return lease !== null;
  }

  async release(lease: HeldLease): Promise<void> {
    await this.collection.updateOne(
      { _id: lease.orgId, holder: lease.holder, fence: lease.fence },
      { $set: { holder: null } },
    );
  }
}
