import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Collection, Db, MongoServerError } from 'mongodb';
import { SyncRequested, SyncScope } from '@regentra/contracts';
import { COLLECTOR_DB } from '../platform/mongo.providers';
import { RequestClaim, SyncRequestDoc, SyncRequestState } from './sync-request.types';

export const SYNC_REQUESTS_COLLECTION = 'sync_requests';

/** The inbox of sync requests; every write to it is one of the named operations below. */
@Injectable()
export class SyncRequestsRepository implements OnModuleInit {
  private readonly collection: Collection<SyncRequestDoc>;

  constructor(@Inject(COLLECTOR_DB) db: Db) {
    this.collection = db.collection<SyncRequestDoc>(SYNC_REQUESTS_COLLECTION);
  }

  async onModuleInit(): Promise<void> {
    await this.collection.createIndex({ orgId: 1, state: 1, requestedAt: 1 });
  }

  /**
   * Records a command once: a redelivered or duplicate requestId (several
   * collector instances firing the same schedule slot) is a no-op.
   * @returns true when this call inserted it.
   */
  async enqueue(command: SyncRequested, now: Date, partition?: number): Promise<boolean> {
    const pending: SyncRequestDoc['pending'] =
      command.payload.scope === 'all' ? ['identity', 'system-log'] : [command.payload.scope];
    try {
      const result = await this.collection.updateOne(
        { _id: command.payload.requestId },
        {
          $setOnInsert: {
            orgId: command.orgId,
            scope: command.payload.scope,
            requestedAt: new Date(command.payload.requestedAt),
            requestedBy: command.payload.requestedBy,
            mode: command.payload.mode,
            receivedAt: now,
            ...(partition === undefined ? {} : { partition }),
            state: 'queued',
            pending,
            updatedAt: now,
          },
        },
        { upsert: true },
      );
      return result.upsertedCount === 1;
    } catch (error) {
      // Concurrent upserts of one _id may race to E11000: the other writer won.
      if (error instanceof MongoServerError && error.code === 11000) return false;
      throw error;
    }
  }

  findById(requestId: string): Promise<SyncRequestDoc | null> {
    return this.collection.findOne({ _id: requestId });
  }

  /**
   * Orgs with at least one queued request that arrived on one of `partitions`
   * (or on no partition: stored before, or without Kafka).
   */
  orgsWithQueued(partitions: readonly number[]): Promise<string[]> {
    return this.collection.distinct('orgId', {
      state: 'queued',
      $or: [{ partition: { $in: [...partitions] } }, { partition: { $exists: false } }],
    });
  }

  /** How many requests of each org are in `state` (the fleet status). */
  async countByOrg(state: SyncRequestState): Promise<Map<string, number>> {
    const rows = await this.collection
      .aggregate<{ _id: string; n: number }>([
        { $match: { state } },
        { $group: { _id: '$orgId', n: { $sum: 1 } } },
      ])
      .toArray();
    return new Map(rows.map((row) => [row._id, row.n]));
  }

  countQueued(orgId: string): Promise<number> {
    return this.collection.countDocuments({ orgId, state: 'queued' });
  }

  /**
   * Moves every request of the org received by `now` from queued to running,
   * oldest request first; a request another instance claimed first is left out.
   */
  async claimQueued(orgId: string, now: Date, claim: RequestClaim): Promise<SyncRequestDoc[]> {
    const queued = await this.collection
      .find({ orgId, state: 'queued', receivedAt: { $lte: now } })
      .sort({ requestedAt: 1 })
      .toArray();
    const claimed: SyncRequestDoc[] = [];
    for (const request of queued) {
      const result = await this.collection.updateOne(
        { _id: request._id, state: 'queued' },
        { $set: { state: 'running', updatedAt: now, claim } },
      );
      if (result.modifiedCount === 1) claimed.push({ ...request, state: 'running', claim });
    }
    return claimed;
  }

  /**
   * The run of these requests ended (or was skipped): nothing of them is
   * pending. Only requests still held by `claim` change.
   */
  async finish(
    requestIds: string[],
    state: SyncRequestState,
    note: string,
    syncIds: string[],
    now: Date,
    claim: RequestClaim,
  ): Promise<void> {
    await this.collection.updateMany(
      { _id: { $in: requestIds }, ...heldBy(claim) },
      { $set: { state, note, updatedAt: now, pending: [], syncIds } },
    );
  }

  /**
   * Queued requests of these scopes, requested by `startedAt`, are satisfied
   * by the run that started then (recorded, not run twice).
   */
  async markSatisfied(
    orgId: string,
    scopes: SyncScope[],
    startedAt: Date,
    syncIds: string[],
    now: Date,
  ): Promise<void> {
    await this.collection.updateMany(
      { orgId, state: 'queued', requestedAt: { $lte: startedAt }, scope: { $in: scopes } },
      {
        $set: {
          state: 'satisfied',
          note: 'satisfied by a run that started after it was requested',
          pending: [],
          syncIds,
          updatedAt: now,
        },
      },
    );
  }

  /** Orgs with a request some run claimed (a live run, or one whose collector died). */
  orgsWithRunning(): Promise<string[]> {
    return this.collection.distinct('orgId', { state: 'running' });
  }

  /**
   * The org's running requests, found by the new lease holder: their run's
   * collector died (kill -9, lost host) without finishing them. Each goes back
   * to the queue and runs again on its own; one interrupted `maxInterruptions`
   * times fails instead (a request that kills its collector must not loop).
   * @returns how many were queued again and how many failed.
   */
  async requeueInterrupted(
    orgId: string,
    maxInterruptions: number,
    now: Date,
  ): Promise<{ requeued: number; failed: number }> {
    const failed = await this.collection.updateMany(
      { orgId, state: 'running', interruptions: { $gte: maxInterruptions - 1 } },
      {
        $set: {
          state: 'failed',
          note: `abandoned: its run was interrupted ${maxInterruptions} times (the collector running it stopped)`,
          updatedAt: now,
          pending: [],
        },
        $inc: { interruptions: 1 },
      },
    );
    const requeued = await this.collection.updateMany(
      { orgId, state: 'running' },
      {
        $set: {
          state: 'queued',
          note: 'queued again: the collector running it stopped (abandoned run)',
          updatedAt: now,
        },
        $inc: { interruptions: 1 },
      },
    );
    return { requeued: requeued.modifiedCount, failed: failed.modifiedCount };
  }

  /**
   * Running requests go back to the queue (their pending parts unchanged):
   * the instance running them stopped cleanly, and any instance runs them again.
   */
  async requeue(requestIds: string[], note: string, now: Date, claim: RequestClaim): Promise<void> {
    await this.collection.updateMany(
      { _id: { $in: requestIds }, ...heldBy(claim) },
      { $set: { state: 'queued', note, updatedAt: now } },
    );
  }

  /** Every queued request of the org is skipped, with the reason. */
  async skipQueued(orgId: string, note: string, now: Date): Promise<void> {
    await this.collection.updateMany(
      { orgId, state: 'queued' },
      { $set: { state: 'skipped', note, updatedAt: now } },
    );
  }
}

/** Requests still running under `claim` (not requeued or claimed again since). */
function heldBy(claim: RequestClaim) {
  return { state: 'running', 'claim.holder': claim.holder, 'claim.fence': claim.fence } as const;
}
