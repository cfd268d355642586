import { Inject, Injectable } from '@nestjs/common';
import type { SyncProvenance } from '@regentra/contracts';
import { oktaOrgIdOf } from '../directory/evidence-history';
import { DirectoryReader } from '../directory/directory.reader';
import type { OktaUserDocument } from '../directory/okta-user.document';
import type { DirectoryDocuments } from '../directory/org-assembly';
import { LogFactsReader } from '../log-facts/log-facts.reader';
import { PROJECTOR_CONFIG, ProjectorConfig } from '../config/projector.config';
import { CLOCK, Clock } from '../platform/clock';
import { CODE_VERSION } from '../platform/code-version';
import { SnapshotSigner } from '../signing/snapshot-signer';
import { EvidenceStore, SnapshotSeal } from './evidence.store';
import type { EvidenceProvenance } from './rules/control-evidence.types';
import { CONTROL_IDS, ControlId, RULES_VERSIONS } from './rules/controls.registry';
import { computeEvidence, EvidenceByControl } from './rules/evidence';
import { DAY_MS, LOG_LOOKBACK_DAYS, SIGN_IN_WINDOW_DAYS } from './rules/evidence-rules';
import {
  ORG_APP_FIELDS,
  ORG_GROUP_FIELDS,
  ORG_REMOVED_USER_FIELDS,
  ORG_USER_FIELDS,
  OrgState,
} from './rules/org-state';
import { evidenceHashOf } from './rules/snapshot-hash';
import { linkAfter, manifestOf, manifestPayload } from './snapshot-manifest';

/** A snapshot to write: the sync, its evidence and the System Log facts it saw. */
export interface SnapshotAt {
  syncId: string;
  asOf: string;
  evidence: EvidenceByControl;
  /** `published` of the newest System Log fact the evidence saw (null: none or unknown). */
  logsThrough?: string | null;
}

/**
 * Computes every control's evidence (pure rules in rules/) from the directory
 * and log facts and writes `control_evidence` (current) and, for a completed
 * identity sync, immutable `evidence_snapshots` with a SHA-256 hash, each
 * chained to the previous one of its control and signed (docs/read-models.md).
 */
@Injectable()
export class EvidenceService {
  constructor(
    private readonly store: EvidenceStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly logs: LogFactsReader,
    private readonly directory: DirectoryReader,
    private readonly signer: SnapshotSigner,
    @Inject(PROJECTOR_CONFIG) private readonly config: ProjectorConfig,
  ) {}

  /**
   * The immutable snapshots of a completed identity sync, on the state it
   * left (its documents and the users removed as of it) and the log facts
   * as of its completion. With `deferWrite` (a replay) they are computed now
   * and their writes handed to it.
   */
  async snapshot(
    orgId: string,
    sync: EvidenceInput & { directory: DirectoryDocuments },
  ): Promise<void> {
    const read = await this.stateAt(orgId, sync, sync.asOf);
    // Given its documents, the read always succeeds; without them, a half-written directory.
    if (!read) throw new Error(`snapshot of ${orgId} ${sync.syncId}: the directory is not whole`);
    const { state, logsThrough } = read;
    const at = {
      syncId: sync.syncId,
      asOf: sync.asOf,
      evidence: withProvenance(computeEvidence(state), sync, logsThrough),
      logsThrough,
    };
    const now = this.clock.now();
    const write = async () => {
      for (const control of CONTROL_IDS) await this.writeSnapshot(control, at, now);
    };
    if (sync.deferWrite) sync.deferWrite(write);
    else await write();
  }

  /**
   * The current evidence of the org's last applied sync, as of the newest of
   * its completion and the last log poll. Without `directory` (after a log
   * poll) the read models are read back, and only when they are whole
   * (DirectoryReader.wholeOf): a directory being written, or left half
   * written by a crash, changes no evidence (docs/read-models.md, Directory
   * heads); the completion that writes it, or repeats, writes the evidence.
   */
  async refreshCurrent(orgId: string, sync: EvidenceInput, judgedAt?: string): Promise<void> {
    const lastPoll = await this.store.lastLogPollCompletedAt(orgId);
    const asOf = lastPoll && lastPoll > sync.asOf ? lastPoll : sync.asOf;
    // A failed poll judges the log's staleness at its own time (docs/read-models.md).
    const at = judgedAt && judgedAt > asOf ? judgedAt : asOf;
    const read = await this.stateAt(orgId, sync, asOf, at);
    if (!read) return;
    const evidence = withProvenance(computeEvidence(read.state), sync, read.logsThrough);
    await this.write({ evidence, logsThrough: read.logsThrough }, null, this.clock.now());
  }

  /**
   * The evidence rules' input for the sync at `asOf` (log facts folded a day
   * at a time), the System Log's coverage judged at `judgedAt`; null when
   * the directory has to be read back and is not whole.
   */
  private async stateAt(
    orgId: string,
    sync: EvidenceInput,
    asOf: string,
    judgedAt = asOf,
  ): Promise<{ state: OrgState; logsThrough: string | null } | null> {
    // Deleted users (marked removed) of the lookback before the sync's asOf: provisioning lists them.
    const removedSince = new Date(Date.parse(sync.asOf) - LOG_LOOKBACK_DAYS * DAY_MS).toISOString();
    const read = sync.directory
      ? {
          directory: sync.directory,
          removedUsers:
            sync.removedUsers?.(removedSince) ??
            (await this.directory.removedUsersSince(orgId, removedSince)),
        }
      : await this.directory.wholeOf(orgId, sync.syncId, removedSince);
    if (!read) return null;
    const { directory } = read;
    const removedUsers = read.removedUsers.map((d) => pick(d, ORG_REMOVED_USER_FIELDS));
    // Folded a day at a time: memory grows with the actors, not with the window.
    const logs = await this.logs.foldedAsOf(orgId, asOf, {
      lookbackDays: LOG_LOOKBACK_DAYS,
      signInDays: SIGN_IN_WINDOW_DAYS,
    });
    const state: OrgState = {
      orgId,
      syncId: sync.syncId,
      asOf,
      ...stateOf(directory),
      removedUsers,
      logs: { events: [], figures: logs.figures },
      coverage: sync.coverage,
      systemLog: await this.logs.coverageAt(orgId, judgedAt, this.config.LOG_STALE_HOURS),
    };
    return { state, logsThrough: logs.logsThrough };
  }

  /**
   * Writes every control's current evidence and, for a completed sync, its
   * immutable snapshots (item lists as pages: see EvidenceStore). One after
   * the other: each is several commands, and FerretDB's SQLite answers
   * concurrent deletes and drops with "database is locked".
   */
  async write(
    current: { evidence: EvidenceByControl; logsThrough: string | null },
    snapshot: SnapshotAt | null,
    now: Date,
  ): Promise<void> {
    for (const control of CONTROL_IDS) await this.writeCurrent(control, current, now);
    if (snapshot)
      for (const control of CONTROL_IDS) await this.writeSnapshot(control, snapshot, now);
  }

  private async writeCurrent(
    control: ControlId,
    current: { evidence: EvidenceByControl; logsThrough: string | null },
    now: Date,
  ): Promise<void> {
    const { items, ...head } = current.evidence[control];
    const hash = await evidenceHashOf(current.evidence[control]);
    await this.store.writeCurrent(
      { ...head, logsThrough: current.logsThrough, projectedAt: now },
      items,
      generationOf(hash),
    );
  }

  private async writeSnapshot(control: ControlId, at: SnapshotAt, now: Date): Promise<void> {
    const { items, ...head } = at.evidence[control];
    const hash = await evidenceHashOf(at.evidence[control]);
    const provenance = {
      orgId: head.orgId,
      control,
      syncId: at.syncId,
      asOf: at.asOf,
      logsThrough: at.logsThrough ?? null,
      hash,
      rulesVersion: null, // the rules carry no version yet (issue 27, point 3)
      codeVersion: CODE_VERSION,
    };
    // Linked to the newest chained snapshot of the control, then signed (snapshot-manifest.ts).
    const seal: SnapshotSeal = async ({ ref, pages, previous }) => {
      const chain = linkAfter(previous);
      const lists = Object.fromEntries(
        Object.entries(ref.lists).map(([name, index]) => [
          name,
          { index, pages: pages[name] ?? [] },
        ]),
      );
      const manifest = manifestOf(provenance, chain, lists);
      return { chain, manifest, signature: this.signer.sign(manifestPayload(manifest)) };
    };
    await this.store.writeSnapshot(
      {
        _id: `${head.orgId}|${control}|${at.syncId}`,
        orgId: head.orgId,
        control,
        syncId: at.syncId,
        asOf: at.asOf,
        evidence: head,
        hash,
        projectedAt: now,
      },
      items,
      generationOf(hash),
      seal,
    );
  }

  /**
   * A log poll's outcome refreshes the current evidence, never the snapshots:
   * a completed one brings sign-ins and may fill a gap, a failed one may make
   * the log stale.
   */
  async refreshAfterLogPoll(
    orgId: string,
    poll: { outcome: 'completed' | 'failed'; at: string },
  ): Promise<void> {
    if (poll.outcome === 'completed') await this.store.markLogPollCompleted(orgId, poll.at);
    const applied = await this.directory.latestAppliedSync(orgId);
    if (!applied?.completedAt) return; // no identity data yet: nothing to evidence
    // No coverage recorded is no coverage: every dataset is unknown (fail closed).
    const input = {
      syncId: applied.syncId,
      asOf: applied.completedAt,
      coverage: applied.coverage ?? {},
      provenance: applied.provenance ?? null,
      oktaOrgId: oktaOrgIdOf(applied),
    };
    await this.refreshCurrent(orgId, input, poll.at);
  }
}

/** A sync whose evidence is computed. */
export interface EvidenceInput {
  syncId: string;
  /** The sync's completion. */
  asOf: string;
  coverage: OrgState['coverage'];
  /** Where the sync's data came from (null: published without it). */
  provenance: SyncProvenance | null;
  /** The Okta org of its evidence history (the sync's, or the history's when it had none). */
  oktaOrgId: string | null;
  /** The documents the sync left; read back when absent. */
  directory?: DirectoryDocuments;
  /**
   * The users marked removed as the collection holds them after this sync
   * (the argument picks the lookback); read from the collection when absent.
   */
  removedUsers?: (since: string) => OktaUserDocument[];
  /** Computed now, the snapshots' writes handed to this (a replay writes behind the consumer). */
  deferWrite?: (write: () => Promise<void>) => void;
}

/**
 * Every control's evidence with its provenance (docs/read-models.md,
 * Provenance): part of the head, so of the snapshot hash too.
 */
function withProvenance(
  evidence: EvidenceByControl,
  sync: EvidenceInput,
  logsThrough: string | null,
): EvidenceByControl {
  const p = sync.provenance;
  const oktaOrgId = p?.oktaOrgId ?? sync.oktaOrgId;
  const common: Omit<EvidenceProvenance, 'rulesVersion'> = {
    oktaDomain: p?.oktaDomain ?? null,
    apiHost: p?.apiHost ?? null,
    oktaOrgId,
    evidenceHistoryId: oktaOrgId
      ? `${evidence[CONTROL_IDS[0] as ControlId].orgId}|${oktaOrgId}`
      : null,
    tokenOwnerId: p?.tokenOwnerId ?? null,
    oauthClientId: p?.oauthClientId ?? null,
    collectorInstance: p?.collectorInstance ?? null,
    collectorVersion: p?.collectorVersion ?? null,
    identitySyncId: sync.syncId,
    logsThrough,
    codeVersion: CODE_VERSION,
  };
  const out: Partial<Record<ControlId, unknown>> = {};
  for (const control of CONTROL_IDS)
    out[control] = {
      ...evidence[control],
      provenance: { ...common, rulesVersion: RULES_VERSIONS[control] },
    };
  return out as EvidenceByControl;
}

/**
 * The item pages' generation: a prefix of the evidence's hash, so a redelivered
 * write of the same evidence finds its pages written, and other evidence never
 * shares them (96 bits).
 */
function generationOf(hash: string): string {
  return hash.slice('sha256:'.length, 'sha256:'.length + 24);
}

/** Only the listed fields of `doc`, in that order. */
function pick<T extends object, K extends keyof T>(doc: T, keys: readonly K[]): Pick<T, K> {
  const picked = {} as Pick<T, K>;
  for (const key of keys) picked[key] = doc[key];
  return picked;
}

/**
 * Read-model documents → the evidence rules' input (the fields the rules
 * read), whether the documents were just written by a completing sync or read
 * back later.
 */
function stateOf(docs: DirectoryDocuments): Pick<OrgState, 'users' | 'groups' | 'apps'> {
  return {
    users: docs.users.map((d) => pick(d, ORG_USER_FIELDS)),
    groups: docs.groups.map((d) => pick(d, ORG_GROUP_FIELDS)),
    apps: docs.apps.map((d) => pick(d, ORG_APP_FIELDS)),
  };
}
