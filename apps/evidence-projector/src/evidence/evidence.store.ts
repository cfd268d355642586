import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Collection, Db, MongoServerError } from 'mongodb';
import { PROJECTOR_DB } from '../platform/mongo.providers';
import type {
  ControlEvidenceDocument,
  EvidenceSnapshotDocument,
} from './control-evidence.document';
import type { ControlId } from './rules/controls.registry';

export const CONTROL_EVIDENCE = 'control_evidence';
export const EVIDENCE_SNAPSHOTS = 'evidence_snapshots';
/** Per org, the completion time of the newest System Log poll (the current evidence's asOf). */
export const LOG_POLL_MARKS = 'log_poll_marks';

interface LogPollMark {
  _id: string; // orgId
  lastPollCompletedAt: string;
}

/** `control_evidence`, `evidence_snapshots` and `log_poll_marks`: the evidence slice's own collections. */
@Injectable()
export class EvidenceStore implements OnModuleInit {
  private readonly current: Collection<ControlEvidenceDocument>;
  private readonly snapshots: Collection<EvidenceSnapshotDocument>;
  private readonly pollMarks: Collection<LogPollMark>;

  constructor(@Inject(PROJECTOR_DB) db: Db) {
    this.current = db.collection<ControlEvidenceDocument>(CONTROL_EVIDENCE);
    this.snapshots = db.collection<EvidenceSnapshotDocument>(EVIDENCE_SNAPSHOTS);
    this.pollMarks = db.collection<LogPollMark>(LOG_POLL_MARKS);
  }

  async onModuleInit(): Promise<void> {
    await this.current.createIndex({ orgId: 1, control: 1 });
    await this.snapshots.createIndex({ orgId: 1, control: 1, asOf: -1 });
  }

  /** The current evidence of one control, or null before the org's first completed sync. */
  currentOf(orgId: string, control: ControlId): Promise<ControlEvidenceDocument | null> {
    return this.current.findOne({ _id: `${orgId}|${control}` });
  }

  /** Replaces the current evidence of one control (`replaceOne`: the API reads it meanwhile). */
  async replaceCurrent(doc: Omit<ControlEvidenceDocument, '_id'>): Promise<void> {
    await this.current.replaceOne({ _id: `${doc.orgId}|${doc.control}` }, doc, { upsert: true });
  }

  /** Immutable: a redelivered completion finds its snapshot already written. */
  async insertSnapshot(snapshot: EvidenceSnapshotDocument): Promise<void> {
    try {
      await this.snapshots.insertOne(snapshot);
    } catch (error) {
      if (!(error instanceof MongoServerError && error.code === 11000)) throw error;
    }
  }

  /** A page of one control's snapshots, newest first, and how many there are. */
  async snapshotsOf(
    orgId: string,
    control: ControlId,
    skip: number,
    limit: number,
  ): Promise<{ snapshots: EvidenceSnapshotDocument[]; total: number }> {
    const [snapshots, total] = await Promise.all([
      this.snapshots.find({ orgId, control }).sort({ asOf: -1 }).skip(skip).limit(limit).toArray(),
      this.snapshots.countDocuments({ orgId, control }),
    ]);
    return { snapshots, total };
  }

  /** Records a completed log poll; an older one redelivered leaves the newer time. */
  async markLogPollCompleted(orgId: string, completedAt: string): Promise<void> {
    await this.pollMarks.updateOne(
      { _id: orgId },
      { $max: { lastPollCompletedAt: completedAt } },
      { upsert: true },
    );
  }

  async lastLogPollCompletedAt(orgId: string): Promise<string | null> {
    const mark = await this.pollMarks.findOne({ _id: orgId });
    return mark?.lastPollCompletedAt ?? null;
  }
}
