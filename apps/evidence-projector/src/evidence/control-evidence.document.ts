import type { ItemPagesRef } from './item-pages';
import type { ControlEvidence } from './rules/control-evidence.types';
import type { ControlId } from './rules/controls.registry';
import type { ChainLink, SnapshotManifest } from './snapshot-manifest';

/** One control's evidence without its item lists (those live in `evidence_items`). */
export type EvidenceHeadOf<C extends string = ControlId> = Omit<ControlEvidence<C>, 'items'>;

/**
 * ★ A `control_evidence` document: the current evidence of one org × control —
 * its summary and, in `itemPages`, where its item lists are (`evidence_items`,
 * scope `current`). Written by one replaceOne after its pages.
 */
export interface ControlEvidenceDocument extends EvidenceHeadOf {
  /** `${orgId}|${control}` */
  _id: string;
  /** `published` of the newest System Log fact the evidence saw, null when none. */
  logsThrough: string | null;
  projectedAt: Date;
  /** Absent only in documents written before item pages (their items are in `items`). */
  itemPages?: ItemPagesRef;
  /** Only in documents written before item lists moved into pages; read, never written. */
  items?: Record<string, unknown[]>;
}

/**
 * ★ An `evidence_snapshots` document: immutable evidence of one org × control at
 * a completed sync. `evidence` holds the head (no items); the items are in
 * `evidence_items` under scope = syncId and `itemPages.generation`.
 */
export interface EvidenceSnapshotDocument {
  /** `${orgId}|${control}|${syncId}` */
  _id: string;
  orgId: string;
  control: ControlId;
  syncId: string;
  asOf: string;
  /** The evidence's head; `items` only in documents written before item pages. */
  evidence: EvidenceHeadOf & { items?: Record<string, unknown[]> };
  /** Absent only in documents written before item pages (their items are in `evidence`). */
  itemPages?: ItemPagesRef;
  /** See evidenceHash in rules/snapshot-hash.ts: `sha256:` of the whole evidence's canonical JSON. */
  hash: string;
  projectedAt: Date;
  /** Its place in the (org, control) chain; absent in snapshots written before signing. */
  chain?: ChainLink;
  /** What `signature` covers (snapshot-manifest.ts); absent before signing. */
  manifest?: SnapshotManifest;
  /** A detached compact JWS (EdDSA) of the manifest's canonical JSON (signing/signing-keys.ts). */
  signature?: string;
}

/**
 * An `evidence_items` document: one page of one item list of one generation.
 * `_id` = `${orgId}|${control}|${scope}|${generation}|${list}|${page}`, so
 * every page is read, written and deleted by exact id.
 */
export interface EvidenceItemPageDocument {
  _id: string;
  orgId: string;
  control: ControlId;
  /** `current` (control_evidence) or the snapshot's syncId. */
  scope: string;
  generation: string;
  list: string;
  page: number;
  /** List offset of the first item. */
  start: number;
  items: unknown[];
}
