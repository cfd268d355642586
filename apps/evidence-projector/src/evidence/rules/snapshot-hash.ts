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

/** `sha256:` + hex SHA-256 of the canonical JSON of the evidence. */
export function snapshotHash(evidence: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(evidence), 'utf8').digest('hex')}`;
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
