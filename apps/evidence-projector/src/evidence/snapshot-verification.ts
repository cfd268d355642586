import { EvidenceStore, ItemPageError } from './evidence.store';
import type { ControlId } from './rules/controls.registry';
import { evidenceHash, snapshotHash } from './rules/snapshot-hash';

export type SnapshotVerification =
  | { result: 'match'; stored: string; computed: string }
  | { result: 'mismatch'; stored: string; computed: string | null; reason?: string }
  | { result: 'not-found' };

/**
 * Recomputes a stored snapshot's hash from its documents (the head in
 * `evidence_snapshots`, the items streamed page by page from `evidence_items`;
 * recipe: evidenceHash in rules/snapshot-hash.ts) and compares it with the
 * hash stored beside them. A missing or malformed page is a mismatch.
 */
export async function verifyStoredSnapshot(
  store: EvidenceStore,
  orgId: string,
  control: ControlId,
  syncId: string,
): Promise<SnapshotVerification> {
  const snapshot = await store.snapshotOf(orgId, control, syncId);
  if (!snapshot) return { result: 'not-found' };
  const stored = snapshot.hash;
  let computed: string;
  try {
    if (!snapshot.itemPages) {
      computed = snapshotHash(snapshot.evidence); // written before item pages: all inline
    } else {
      const at = { orgId, control, scope: syncId, ref: snapshot.itemPages };
      computed = await evidenceHash(snapshot.evidence, Object.keys(at.ref.lists), (list) =>
        store.pagesOf(at, list),
      );
    }
  } catch (error) {
    if (error instanceof ItemPageError)
      return { result: 'mismatch', stored, computed: null, reason: error.message };
    throw error;
  }
  return computed === stored
    ? { result: 'match', stored, computed }
    : { result: 'mismatch', stored, computed };
}
