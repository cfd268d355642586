import { Jwks, verifyDetached } from '../signing/signing-keys';
import { canonicalJson, CanonicalJsonError, evidenceHash } from './rules/snapshot-hash';
import type { ChainEntry, SnapshotExport } from './snapshot-export';
import { manifestPayload, pageHash } from './snapshot-manifest';

/** What broke, in the words `verify-snapshot --chain` prints. */
export type ChainProblemKind =
  | 'bad signature'
  | 'changed page'
  | 'changed evidence'
  | 'deleted snapshot'
  | 'reordered snapshots'
  | 'broken link'
  | 'forked chain'
  | 'wrong subject';

export interface ChainProblem {
  kind: ChainProblemKind;
  detail: string;
}

export interface ChainVerdict {
  problems: ChainProblem[];
  /** The chain as the exports show it, by signed position. */
  chain: Array<{ position: number; syncId: string; hash: string; kid: string | null }>;
}

/** An export as read from a file, with the name problems cite. */
export interface NamedExport {
  file: string;
  content: SnapshotExport;
}

const where = (e: ChainEntry) => `sync ${e.syncId} (position ${e.manifest.position})`;

/**
 * Verifies exports of one (org, control) offline (docs/read-models.md,
 * "Verifying offline"): every manifest's signature against the JWKS the
 * auditor trusts; each export's chain from position 1, in order, each
 * `previousHash` the hash of the one before; each export's items against
 * its manifest's page hashes and its evidence against the manifest's hash;
 * and that exports agree on every position they share. Pure.
 */
export async function verifyChain(
  exports: readonly NamedExport[],
  subject: { orgId: string; control: string },
  jwks: Jwks,
): Promise<ChainVerdict> {
  const problems: ChainProblem[] = [];
  const byPosition = new Map<number, { entry: ChainEntry; file: string; kid: string | null }>();
  for (const { file, content } of exports) {
    const entries = [...content.chain, content];
    for (const entry of entries) {
      const m = entry.manifest;
      if (m.orgId !== subject.orgId || m.control !== subject.control || m.syncId !== entry.syncId)
        problems.push({
          kind: 'wrong subject',
          detail: `${file}: ${where(entry)} is a manifest of org ${m.orgId}, control ${m.control}, sync ${m.syncId}`,
        });
      const signed = verifyDetached(entry.signature, manifestPayload(m), jwks);
      if (!signed.valid)
        problems.push({
          kind: 'bad signature',
          detail: `${file}: ${where(entry)}: ${signed.reason}`,
        });
      const seen = byPosition.get(m.position);
      if (!seen) byPosition.set(m.position, { entry, file, kid: signed.kid });
      else if (canonicalJson(seen.entry.manifest) !== canonicalJson(m))
        problems.push({
          kind: 'forked chain',
          detail: `position ${m.position} is sync ${seen.entry.syncId} in ${seen.file} but sync ${entry.syncId} in ${file}`,
        });
    }
    problems.push(...orderProblems(file, entries), ...(await contentProblems(file, content)));
  }
  const chain = [...byPosition.values()]
    .map(({ entry, kid }) => ({
      position: entry.manifest.position,
      syncId: entry.syncId,
      hash: entry.manifest.hash,
      kid,
    }))
    .sort((a, b) => a.position - b.position);
  return { problems: dedupe(problems), chain };
}

/** The chain one export lists: in signed order from position 1, each linked to the one before. */
function orderProblems(file: string, entries: readonly ChainEntry[]): ChainProblem[] {
  const problems: ChainProblem[] = [];
  const listed = entries.map((e) => e.manifest.position);
  const sorted = [...entries].sort((a, b) => a.manifest.position - b.manifest.position);
  if (listed.some((p, i) => p !== sorted[i]!.manifest.position)) {
    const out = entries.filter((e, i) => e !== sorted[i]).map(where);
    problems.push({
      kind: 'reordered snapshots',
      detail: `${file}: the chain lists positions ${listed.join(', ')}: ${out.join(', ')} out of signed order`,
    });
  }
  let before: ChainEntry | null = null;
  for (const entry of sorted) {
    const { position, previousHash } = entry.manifest;
    const expected = before ? before.manifest.position + 1 : 1;
    if (before && position === before.manifest.position) {
      problems.push({
        kind: 'forked chain',
        detail: `${file}: two snapshots at position ${position}: ${before.syncId} and ${entry.syncId}`,
      });
    } else if (position > expected) {
      const gap = position - 1 === expected ? `${expected}` : `${expected}–${position - 1}`;
      problems.push({
        kind: 'deleted snapshot',
        detail: `${file}: position ${gap} missing before ${where(entry)}${before ? `, after ${where(before)}` : ''}`,
      });
    } else if ((before?.manifest.hash ?? null) !== previousHash) {
      problems.push({
        kind: 'broken link',
        detail: `${file}: ${where(entry)} names previous hash ${previousHash ?? 'null'}, but ${
          before ? `${where(before)} has ${before.manifest.hash}` : 'it is the first'
        }`,
      });
    }
    before = entry;
  }
  return problems;
}

/** The export's own evidence against its manifest: each page, then the whole hash. */
async function contentProblems(file: string, content: SnapshotExport): Promise<ChainProblem[]> {
  const problems: ChainProblem[] = [];
  const m = content.manifest;
  const { items, ...head } = content.evidence;
  for (const [name, list] of Object.entries(m.lists)) {
    const got = items[name];
    if (!got || got.length !== list.total) {
      problems.push({
        kind: 'changed page',
        detail: `${file}: list ${name} has ${got?.length ?? 'no'} items, its manifest ${list.total}`,
      });
      continue;
    }
    list.pageStarts.forEach((start, n) => {
      const end = list.pageStarts[n + 1] ?? list.total;
      if (pageHashOrNull(got.slice(start, end)) !== list.pageHashes[n])
        problems.push({
          kind: 'changed page',
          detail: `${file}: ${where(content)} list ${name} page ${n} (items ${start}–${end - 1}) differs from its signed hash`,
        });
    });
  }
  const extra = Object.keys(items).filter((name) => !(name in m.lists));
  if (extra.length)
    problems.push({
      kind: 'changed evidence',
      detail: `${file}: lists not in the manifest: ${extra.join(', ')}`,
    });
  for (const field of ['orgId', 'control', 'syncId', 'asOf'] as const)
    if (head[field] !== m[field])
      problems.push({
        kind: 'changed evidence',
        detail: `${file}: evidence ${field} ${String(head[field])}, manifest ${m[field]}`,
      });
  const computed = await hashOrNull(head, items);
  if (computed !== m.hash)
    problems.push({
      kind: 'changed evidence',
      detail: `${file}: ${where(content)} evidence hashes to ${computed ?? '(not canonical JSON)'}, its manifest says ${m.hash}`,
    });
  return problems;
}

function pageHashOrNull(items: unknown[]): string | null {
  try {
    return pageHash(items);
  } catch (error) {
    if (error instanceof CanonicalJsonError) return null;
    throw error;
  }
}

async function hashOrNull(
  head: Record<string, unknown>,
  items: Record<string, unknown[]>,
): Promise<string | null> {
  try {
    return await evidenceHash(head, Object.keys(items), (list) => [items[list] ?? []]);
  } catch (error) {
    if (error instanceof CanonicalJsonError) return null;
    throw error;
  }
}

/** Exports share their chains: one problem, reported once. */
function dedupe(problems: ChainProblem[]): ChainProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.kind}|${p.detail.replace(/^[^:]*: /, '')}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
