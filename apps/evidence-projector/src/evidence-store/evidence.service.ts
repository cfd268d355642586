import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Collection, Db, Document, MongoServerError } from 'mongodb';
import {
  ControlEvidence,
  ControlId,
  CONTROL_IDS,
} from '../control-evidence/control-evidence.types';
import { computeEvidence } from '../control-evidence/evidence';
import { OrgAppState, OrgGroupState, OrgState, OrgUserState } from '../control-evidence/org-state';
import { snapshotHash } from '../control-evidence/snapshot-hash';
import { IdentitySyncsRepository } from '../identity-projection/identity-syncs.repository';
import { Materialized } from '../identity-projection/materializer.service';
import { CLOCK, Clock } from '../platform/clock';
import { PROJECTOR_DB } from '../platform/mongo.providers';
import { LogEventsRepository } from '../system-log-projection/log-events.repository';

const DAY = 86_400_000;
/** Log facts older than this before asOf feed no control (provisioning reads 90 days). */
const LOG_LOOKBACK_DAYS = 91;

export interface EvidenceDoc extends ControlEvidence {
  _id: string; // `${orgId}|${control}`
  logsThrough: string | null;
  projectedAt: Date;
}

export interface SnapshotDoc {
  _id: string; // `${orgId}|${control}|${syncId}`
  orgId: string;
  control: ControlId;
  syncId: string;
  asOf: string;
  evidence: ControlEvidence;
  hash: string;
  projectedAt: Date;
}

/**
 * Computes the four controls' evidence (pure rules in control-evidence/) from
 * the read models and writes `control_evidence` (current) and, for a
 * completed identity sync, immutable `evidence_snapshots` with a SHA-256 hash.
 */
@Injectable()
export class EvidenceService implements OnModuleInit {
  readonly current: Collection<EvidenceDoc>;
  readonly snapshots: Collection<SnapshotDoc>;
  private readonly users: Collection<Document>;
  private readonly groups: Collection<Document>;
  private readonly apps: Collection<Document>;
  private readonly pollMarks: Collection<{ _id: string; lastPollCompletedAt: string }>;

  constructor(
    @Inject(PROJECTOR_DB) db: Db,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly logs: LogEventsRepository,
    private readonly syncs: IdentitySyncsRepository,
  ) {
    this.current = db.collection<EvidenceDoc>('control_evidence');
    this.snapshots = db.collection<SnapshotDoc>('evidence_snapshots');
    this.users = db.collection('okta_users');
    this.groups = db.collection('okta_groups');
    this.apps = db.collection('okta_apps');
    this.pollMarks = db.collection('log_poll_marks');
  }

  async onModuleInit(): Promise<void> {
    await this.current.createIndex({ orgId: 1, control: 1 });
    await this.snapshots.createIndex({ orgId: 1, control: 1, asOf: -1 });
  }

  async recompute(
    orgId: string,
    input: {
      syncId: string;
      asOf: string;
      coverage: OrgState['coverage'];
      materialized?: Materialized;
      snapshot: boolean;
    },
  ): Promise<void> {
    const pollMark = await this.pollMarks.findOne({ _id: orgId });
    // The current evidence reflects the newest of the identity sync and the last log poll.
    const currentAsOf =
      pollMark && pollMark.lastPollCompletedAt > input.asOf
        ? pollMark.lastPollCompletedAt
        : input.asOf;
    const base = stateOf(input.materialized ?? (await this.fromReadModels(orgId)));
    const build = async (
      asOf: string,
    ): Promise<{ state: OrgState; logsThrough: string | null }> => {
      const events = await this.logs.between(
        orgId,
        new Date(Date.parse(asOf) - LOG_LOOKBACK_DAYS * DAY).toISOString(),
        asOf,
      );
      const state: OrgState = {
        orgId,
        syncId: input.syncId,
        asOf,
        ...base,
        logs: { events },
        coverage: input.coverage,
      };
      return {
        state,
        logsThrough: events.length ? (events[events.length - 1]?.published ?? null) : null,
      };
    };
    const now = this.clock.now();
    const live = await build(currentAsOf);
    const evidence = computeEvidence(live.state);
    const atSync = !input.snapshot
      ? null
      : currentAsOf === input.asOf
        ? evidence
        : computeEvidence((await build(input.asOf)).state);
    // The eight documents are independent (each write idempotent), so they go out
    // together: the server works on one while the driver serializes the next.
    const writes: Array<Promise<unknown>> = CONTROL_IDS.map((control) =>
      this.current.replaceOne(
        { _id: `${orgId}|${control}` },
        { ...evidence[control], logsThrough: live.logsThrough, projectedAt: now },
        { upsert: true },
      ),
    );
    if (atSync)
      for (const control of CONTROL_IDS)
        writes.push(
          this.insertSnapshot({
            _id: `${orgId}|${control}|${input.syncId}`,
            orgId,
            control,
            syncId: input.syncId,
            asOf: input.asOf,
            evidence: atSync[control],
            hash: snapshotHash(atSync[control]),
            projectedAt: now,
          }),
        );
    // Every write settles before an error is raised, so none is left running.
    const failed = (await Promise.allSettled(writes)).find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  private async insertSnapshot(snapshot: SnapshotDoc): Promise<void> {
    try {
      await this.snapshots.insertOne(snapshot);
    } catch (error) {
      // Immutable: a redelivered completion finds its snapshot already written.
      if (!(error instanceof MongoServerError && error.code === 11000)) throw error;
    }
  }

  /** A completed log poll refreshes the current evidence (sign-ins), never the snapshots. */
  async refreshAfterLogPoll(orgId: string, completedAt: string): Promise<void> {
    await this.pollMarks.updateOne(
      { _id: orgId },
      { $max: { lastPollCompletedAt: completedAt } },
      { upsert: true },
    );
    const applied = await this.syncs.latestApplied(orgId);
    if (!applied?.completedAt) return; // no identity data yet: nothing to evidence
    await this.recompute(orgId, {
      syncId: applied.syncId,
      asOf: applied.completedAt,
      coverage: applied.coverage ?? {},
      snapshot: false,
    });
  }

  private async fromReadModels(orgId: string): Promise<Materialized> {
    const current = { orgId, removed: false };
    return {
      users: await this.users.find(current).toArray(),
      groups: await this.groups.find(current).toArray(),
      apps: await this.apps.find(current).toArray(),
    };
  }
}

/**
 * Read-model documents → the evidence rules' input: one mapping, whether the
 * documents were just written by a completing sync or read back later.
 */
function stateOf(docs: Materialized): Pick<OrgState, 'users' | 'groups' | 'apps'> {
  return {
    users: docs.users.map((d): OrgUserState => ({
      id: d.id,
      login: d.login,
      email: d.email,
      status: d.status,
      created: d.created,
      activated: d.activated,
      statusChanged: d.statusChanged,
      lastLogin: d.lastLogin,
      deactivatedAt: d.deactivatedAt,
      factors: d.factors,
      groupIds: d.groupIds,
      appAssignments: d.appAssignments,
      roles: d.adminRoles,
    })),
    groups: docs.groups.map((d): OrgGroupState => ({
      id: d.id,
      name: d.name,
      type: d.type,
      memberCount: d.memberCount,
      roles: d.roles,
    })),
    apps: docs.apps.map((d): OrgAppState => ({
      id: d.id,
      label: d.label,
      name: d.name,
      status: d.status,
      userAssignmentCount: d.userAssignmentCount,
      groupIds: d.groupIds,
      assignmentsKnown: d.assignmentsKnown,
    })),
  };
}
