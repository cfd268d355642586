import { z } from 'zod';
import { MANIFEST_FORMAT, SnapshotManifest } from './snapshot-manifest';

/** The export format (`GET …/snapshots/:syncId/export`; docs/read-models.md). */
export const EXPORT_FORMAT = 'regentra.snapshot-export.v1';

/** One signed manifest of the chain. */
export interface ChainEntry {
  syncId: string;
  manifest: SnapshotManifest;
  /** Detached compact JWS of the manifest's canonical JSON. */
  signature: string;
}

/**
 * One file an auditor keeps: the snapshot's signed manifest, the signed
 * manifests of every snapshot before it in its chain (oldest first), and
 * its evidence whole (head and every item list, in stored page order).
 */
export interface SnapshotExport extends ChainEntry {
  format: typeof EXPORT_FORMAT;
  orgId: string;
  control: string;
  chain: ChainEntry[];
  evidence: Record<string, unknown> & { items: Record<string, unknown[]> };
}

const hash = z.string().regex(/^sha256:[0-9a-f]{64}$/);

const ManifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  orgId: z.string(),
  control: z.string(),
  syncId: z.string(),
  asOf: z.string(),
  logsThrough: z.string().nullable(),
  hash,
  position: z.number().int().min(1),
  previousHash: hash.nullable(),
  lists: z.record(
    z.object({
      total: z.number().int().min(0),
      pageStarts: z.array(z.number().int().min(0)),
      pageHashes: z.array(hash),
    }),
  ),
  rulesVersion: z.string().nullable(),
  codeVersion: z.string(),
});

const ChainEntrySchema = z.object({
  syncId: z.string(),
  manifest: ManifestSchema,
  signature: z.string(),
});

/** Parses an export read back from a file (passthrough: unknown fields stay for the hash). */
export const SnapshotExportSchema = ChainEntrySchema.extend({
  format: z.literal(EXPORT_FORMAT),
  orgId: z.string(),
  control: z.string(),
  chain: z.array(ChainEntrySchema),
  evidence: z.object({ items: z.record(z.array(z.unknown())) }).passthrough(),
});

/**
 * The export as JSON text, streamed: everything but the items first, then
 * each list page by page (`pagesOf`), so no more than a page is held.
 */
export async function* exportJson(
  head: Omit<SnapshotExport, 'evidence'> & { evidence: Record<string, unknown> },
  lists: readonly string[],
  pagesOf: (list: string) => AsyncIterable<unknown[]>,
): AsyncGenerator<string> {
  const { evidence, ...rest } = head;
  const opening = JSON.stringify({ ...rest, evidence: { ...evidence, items: {} } });
  // Everything up to the items' `{`, which the item lists then fill.
  yield opening.slice(0, -'}}}'.length);
  for (const [l, list] of lists.entries()) {
    yield `${l > 0 ? ',' : ''}${JSON.stringify(list)}:[`;
    let first = true;
    for await (const page of pagesOf(list))
      for (const item of page) {
        yield `${first ? '' : ','}${JSON.stringify(item)}`;
        first = false;
      }
    yield ']';
  }
  yield '}}}';
}
