import type { RunPart } from '@regentra/contracts';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Collection, Db } from 'mongodb';
import { COLLECTOR_DB } from '../platform/mongo.providers';
import { RunState, SyncRunDoc } from './sync-run.types';

export const SYNC_RUNS_COLLECTION = 'sync_runs';

@Injectable()
export class SyncRunsRepository implements OnModuleInit {
  private readonly collection: Collection<SyncRunDoc>;

  constructor(@Inject(COLLECTOR_DB) db: Db) {
    this.collection = db.collection<SyncRunDoc>(SYNC_RUNS_COLLECTION);
  }

  async onModuleInit(): Promise<void> {
    await this.collection.createIndex({ orgId: 1, startedAt: -1 });
    await this.collection.createIndex({ orgId: 1, state: 1 });
  }

  async start(
    doc: Omit<SyncRunDoc, 'finishedAt' | 'phase' | 'progress' | 'outcome' | 'state'>,
  ): Promise<void> {
    await this.collection.insertOne({
      ...doc,
      state: 'running',
      finishedAt: null,
      phase: 'started',
      progress: {},
      outcome: null,
    });
  }

  async progress(syncId: string, phase: string, progress: Record<string, number>): Promise<void> {
    await this.collection.updateOne(
      { _id: syncId, state: 'running' },
      { $set: { phase, progress } },
    );
  }

  /** The identity sync's mode, once decided (status shows it while it runs). */
  async recordMode(
    syncId: string,
    mode: 'full' | 'incremental',
    why: { fullReason: string | null; baseSyncId: string | null },
  ): Promise<void> {
    await this.collection.updateOne({ _id: syncId }, { $set: { mode, ...why } });
  }

  async finish(
    syncId: string,
    state: Exclude<RunState, 'running'>,
    at: Date,
    outcome: Record<string, unknown>,
  ): Promise<void> {
    await this.collection.updateOne(
      { _id: syncId, state: 'running' },
      { $set: { state, finishedAt: at, outcome } },
    );
  }

  /** Runs left "running" by a holder whose lease is gone (a crashed or killed collector). */
  findOrphans(orgId: string, currentFence: number): Promise<SyncRunDoc[]> {
    return this.collection
      .find({ orgId, state: 'running', fence: { $lt: currentFence } })
      .toArray();
  }

  /** Orgs with a run in state running (live, or left by a dead collector). */
  orgsWithRunning(): Promise<string[]> {
    return this.collection.distinct('orgId', { state: 'running' });
  }

  latest(orgId: string, kind: RunPart): Promise<SyncRunDoc | null> {
    return this.collection.find({ orgId, kind }).sort({ startedAt: -1 }).limit(1).next();
  }

  lastFinished(orgId: string, kind: RunPart, state: RunState): Promise<SyncRunDoc | null> {
    return this.collection.find({ orgId, kind, state }).sort({ startedAt: -1 }).limit(1).next();
  }

  /** The org's newest runs of `kind`, newest first, besides `except` (the running one). */
  recent(orgId: string, kind: RunPart, except: string, limit: number): Promise<SyncRunDoc[]> {
    return this.collection
      .find({ orgId, kind, _id: { $ne: except } })
      .sort({ startedAt: -1 })
      .limit(limit)
      .toArray();
  }

  /** The org's newest completed full identity sync (runs stored before modes existed were full). */
  lastCompletedFull(orgId: string): Promise<SyncRunDoc | null> {
    return this.collection
      .find({
        orgId,
        kind: 'identity',
        state: 'completed',
        $or: [{ mode: 'full' }, { mode: { $exists: false } }],
      })
      .sort({ startedAt: -1 })
      .limit(1)
      .next();
  }

  /** The org's runs of `kind` that started after `since`. */
  startedSince(orgId: string, kind: RunPart, since: Date): Promise<SyncRunDoc[]> {
    return this.collection.find({ orgId, kind, startedAt: { $gt: since } }).toArray();
  }

  history(orgId: string): Promise<SyncRunDoc[]> {
    return this.collection.find({ orgId }).sort({ startedAt: 1 }).toArray();
  }

  /**
   * Every org's latest run of each kind (the fleet status). Read whole and
   * reduced here: FerretDB has no `$first` accumulator.
   */
  async latestPerOrgAndKind(): Promise<SyncRunDoc[]> {
    const latest = new Map<string, SyncRunDoc>();
    const cursor = this.collection.find(
      {},
      { projection: { progress: 0, requestIds: 0, phase: 0 } },
    );
    for await (const run of cursor) {
      const key = `${run.orgId}|${run.kind}`;
      const seen = latest.get(key);
      if (!seen || seen.startedAt < run.startedAt) latest.set(key, run);
    }
    return [...latest.values()];
  }
}
