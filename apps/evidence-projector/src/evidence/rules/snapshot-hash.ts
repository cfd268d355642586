import { createHash } from 'node:crypto';

/** A value canonicalJson cannot represent exactly; `path` says where (`$.summary.x`). */
export class CanonicalJsonError extends Error {
  override readonly name = 'CanonicalJsonError';
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(`canonicalJson: ${problem} at ${path}`);
  }
}

/**
 * `{}`-like: its prototype is null or an Object.prototype, possibly another
 * realm's (structuredClone, vm contexts), never Date, Map or a class.
 */
function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === null) return true;
  if (typeof proto !== 'object' || Object.getPrototypeOf(proto) !== null) return false;
  const ctor: unknown = (proto as { constructor?: unknown }).constructor;
  return typeof ctor === 'function' && ctor.name === 'Object';
}

function write(value: unknown, path: string, ancestors: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(path, `${value} is not JSON`);
      return JSON.stringify(value); // -0 becomes 0, as in JSON.stringify
    case 'object':
      break;
    default:
      // undefined, function, symbol, bigint
      throw new CanonicalJsonError(path, `${typeof value} is not JSON`);
  }
  if (ancestors.has(value)) throw new CanonicalJsonError(path, 'circular reference');
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      return `[${value.map((v, i) => write(v, `${path}[${i}]`, ancestors)).join(',')}]`;
    }
    // Date, Map, class instances…: their JSON form is ambiguous, so refuse them.
    if (!isPlainObject(value)) {
      throw new CanonicalJsonError(
        path,
        `${value.constructor?.name ?? 'object'} is not a plain object`,
      );
    }
    const record = value as Record<string, unknown>;
    // Default sort is by UTF-16 code units: stable across locales and runtimes.
    const members = Object.keys(record)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${write(record[k], `${path}.${k}`, ancestors)}`);
    return `{${members.join(',')}}`;
  } finally {
    ancestors.delete(value);
  }
}

/**
 * Canonical JSON: object keys sorted recursively, arrays in order, no
 * whitespace. Throws CanonicalJsonError on undefined (also as an object
 * member: it would silently vanish), NaN/Infinity, functions, symbols,
 * bigints, non-plain objects and cycles.
 */
export function canonicalJson(value: unknown): string {
  return write(value, '$', new Set());
}

/** `sha256:` + hex SHA-256 of the canonical JSON of `value` (built whole: small values only). */
export function snapshotHash(evidence: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(evidence), 'utf8').digest('hex')}`;
}

/** One control's evidence without its item lists: orgId, control, asOf, syncId, summary. */
export type EvidenceHead = Record<string, unknown>;

/** Pages (in list order) of one item list; sync or async, so stored pages stream in. */
export type ItemPagesSource = (list: string) => Iterable<unknown[]> | AsyncIterable<unknown[]>;

/**
 * ★ The snapshot hash recipe (what `evidence_snapshots.hash` holds and what
 * `npm run verify-snapshot` recomputes):
 *
 *     hash = "sha256:" + hex(SHA-256(utf8(canonicalJson(evidence))))
 *     evidence = { ...head, items: { [list]: [item, …], … } }
 *
 * where `head` is the snapshot's `evidence` member as stored (orgId, control,
 * asOf, syncId, summary), `items` has one member per list named in the
 * snapshot's `itemPages.lists` (empty lists included), and each list holds
 * its items in stored order: the items of page 0, then page 1, …
 * canonicalJson sorts object keys by UTF-16 code unit, keeps array order
 * and writes no whitespace (see canonicalJson above).
 *
 * This is the same hash as `snapshotHash(evidence)` of the whole evidence
 * (the recipe before item lists moved into their own pages), but the bytes
 * are fed to SHA-256 piece by piece: the head's members in key order with
 * `"items":{` in its place, then per list in key order `"name":[`, each
 * item's canonical JSON separated by `,`, `]`. So no more than one page is
 * ever held, and no string grows with the org.
 */
export async function evidenceHash(
  head: EvidenceHead,
  lists: readonly string[],
  pagesOf: ItemPagesSource,
): Promise<string> {
  if ('items' in head) throw new CanonicalJsonError('$.items', 'the head carries items');
  const sha = createHash('sha256');
  const keys = [...Object.keys(head), 'items'].sort();
  sha.update('{');
  for (const [k, key] of keys.entries()) {
    sha.update(`${k > 0 ? ',' : ''}${JSON.stringify(key)}:`, 'utf8');
    if (key !== 'items') {
      sha.update(write(head[key], `$.${key}`, new Set()), 'utf8');
      continue;
    }
    sha.update('{');
    for (const [l, list] of [...lists].sort().entries()) {
      sha.update(`${l > 0 ? ',' : ''}${JSON.stringify(list)}:[`, 'utf8');
      let index = 0;
      for await (const page of pagesOf(list))
        for (const item of page) {
          sha.update(`${index > 0 ? ',' : ''}`);
          sha.update(write(item, `$.items.${list}[${index}]`, new Set()), 'utf8');
          index += 1;
        }
      sha.update(']');
    }
    sha.update('}');
  }
  sha.update('}');
  return `sha256:${sha.digest('hex')}`;
}

/** evidenceHash of evidence held in memory (each list one page). */
export function evidenceHashOf(evidence: { items: Record<string, unknown[]> }): Promise<string> {
  const { items, ...head } = evidence;
  return evidenceHash(head, Object.keys(items), (list) => [items[list] ?? []]);
}

/** true when the hash is the hash of the evidence as it is now. */
export function verifySnapshot(snapshot: { hash: string; evidence: unknown }): boolean {
  try {
    return snapshotHash(snapshot.evidence) === snapshot.hash;
  } catch (error) {
    if (error instanceof CanonicalJsonError) return false;
    throw error;
  }
}
