import { createHash } from 'node:crypto';
import type { ItemListIndex } from './item-pages';
import { canonicalJson } from './rules/snapshot-hash';

/** The manifest format this code writes (a new field set is a new format). */
export const MANIFEST_FORMAT = 'regentra.snapshot-manifest.v1';

/** Where a snapshot sits in its (org, control) chain. */
export interface ChainLink {
  /** 1 for the first signed snapshot of the (org, control), then +1 each. */
  position: number;
  /** The previous snapshot's `hash`; null for position 1. */
  previousHash: string | null;
}

/** One item list as the manifest pins it: its length, page bounds and each page's hash. */
export interface ManifestList extends ItemListIndex {
  /** pageHash of each page's items, in page order. */
  pageHashes: string[];
}

/**
 * ★ What a snapshot's signature covers (docs/read-models.md, "Signed, chained
 * snapshots"): the evidence hash, the chain link and the provenance the
 * snapshot knows. Deterministic: its time is the evidence's `asOf` (the
 * sync's completion), never the wall clock, so a replay into a fresh database
 * with the same keys writes the same manifests and signatures.
 */
export interface SnapshotManifest extends ChainLink {
  format: typeof MANIFEST_FORMAT;
  orgId: string;
  control: string;
  syncId: string;
  asOf: string;
  /** `published` of the newest System Log fact the snapshot saw, null when none. */
  logsThrough: string | null;
  /** The evidence hash (evidenceHash in rules/snapshot-hash.ts). */
  hash: string;
  lists: Record<string, ManifestList>;
  /** The evidence rules' version; null: the rules carry no version yet. */
  rulesVersion: string | null;
  /** The projector's package.json version. */
  codeVersion: string;
}

/** `sha256:` + hex SHA-256 of the canonical JSON of one page's items (an array). */
export function pageHash(items: readonly unknown[]): string {
  return `sha256:${createHash('sha256').update(canonicalJson(items), 'utf8').digest('hex')}`;
}

/** The link of the snapshot written after `previous` (null: the first of its chain). */
export function linkAfter(previous: { position: number; hash: string } | null): ChainLink {
  return previous
    ? { position: previous.position + 1, previousHash: previous.hash }
    : { position: 1, previousHash: null };
}

/** The manifest of one snapshot. */
export function manifestOf(
  at: Omit<SnapshotManifest, 'format' | 'lists' | keyof ChainLink>,
  link: ChainLink,
  lists: Record<string, { index: ItemListIndex; pages: readonly (readonly unknown[])[] }>,
): SnapshotManifest {
  const pinned: Record<string, ManifestList> = {};
  for (const [name, { index, pages }] of Object.entries(lists))
    pinned[name] = {
      total: index.total,
      pageStarts: index.pageStarts,
      pageHashes: pages.map((items) => pageHash(items)),
    };
  return { format: MANIFEST_FORMAT, ...at, ...link, lists: pinned };
}

/** The bytes a signature covers: the manifest's canonical JSON. */
export function manifestPayload(manifest: SnapshotManifest): string {
  return canonicalJson(manifest);
}
