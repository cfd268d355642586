import { types } from 'node:util';
import { BSON, MongoInvalidArgumentError, MongoServerError } from 'mongodb';

/**
 * Why a write of an org's records failed, as the consumer needs to know it:
 * `deterministic` means the same records would fail the same way on every
 * retry (bson or the database refuses the document itself), so the org's
 * records are dead-lettered and the org marked `projection_failed`;
 * `transient` (the database down, a timeout, anything not recognised) is
 * retried, as before. See docs/read-models.md, "Poison is quarantined".
 */
export type WriteFailure =
  | { kind: 'deterministic'; category: DeterministicCategory; reason: string }
  | { kind: 'transient' };

export type DeterministicCategory =
  /** Over 16 MiB: bson's buffer (17 MiB), the driver's check, or the server's. */
  | 'document_too_large'
  /** A field name bson or the database refuses (a NUL byte, a leading `$`, a `.`). */
  | 'invalid_field_name'
  /** A string value the database cannot store (FerretDB on PostgreSQL: a NUL byte). */
  | 'invalid_string'
  /** Any other document bson cannot encode. */
  | 'invalid_document';

/**
 * MongoDB server codes that name the document, not the server's state
 * (src/mongo/base/error_codes.yml): 2 BadValue (MongoDB: "object to insert
 * too large"; FerretDB: `invalid key` for a `$`-prefixed or dotted name),
 * 52 DollarPrefixedFieldName, 56 EmptyFieldName, 57 DottedFieldName, 10334
 * BSONObjectTooLarge, 17419 (the document after an update is over 16 MiB),
 * 17420 (the document to upsert is).
 */
const DOCUMENT_CODES: ReadonlyMap<number, DeterministicCategory> = new Map([
  [2, 'invalid_field_name'],
  [52, 'invalid_field_name'],
  [56, 'invalid_field_name'],
  [57, 'invalid_field_name'],
  [10334, 'document_too_large'],
  [17419, 'document_too_large'],
  [17420, 'document_too_large'],
]);

/** Labels the driver puts on errors worth retrying: never deterministic. */
const RETRY_LABELS = ['RetryableWriteError', 'TransientTransactionError', 'ResetPool'];

/**
 * FerretDB 1.24 on PostgreSQL answers code 1 (InternalError) with the
 * SQLSTATE for a string jsonb cannot hold: 22P05 (untranslatable character,
 * `\u0000`) or 22021 (invalid byte sequence). Code 1 alone is not enough:
 * it is also what FerretDB answers when PostgreSQL is unreachable.
 */
const FERRETDB_STRING_STATES = /SQLSTATE (22P05|22021)\b/;

const TOO_LARGE = /larger than the maximum size|too large/i;

/** Pure: what kind of failure `error` (or an error it wraps in `cause`) is. */
export function classifyWriteFailure(error: unknown, depth = 0): WriteFailure {
  const category = categoryOf(error);
  if (category) return { kind: 'deterministic', category, reason: reasonOf(category, error) };
  if (depth < 3 && isError(error) && error.cause !== undefined)
    return classifyWriteFailure(error.cause, depth + 1);
  return { kind: 'transient' };
}

/** A plain boolean: bson's own guard would narrow every other error to `never`. */
function isBsonError(value: unknown): boolean {
  return BSON.BSONError.isBSONError(value);
}

/** Errors of any realm (Node's Buffer throws its own, not a jest sandbox's). */
function isError(value: unknown): value is Error {
  return value instanceof Error || types.isNativeError(value);
}

function categoryOf(error: unknown): DeterministicCategory | null {
  if (!isError(error)) return null;
  if (hasRetryLabel(error)) return null;
  if (isBsonError(error))
    return /key .* must not|null bytes/.test(error.message)
      ? 'invalid_field_name'
      : TOO_LARGE.test(error.message)
        ? 'document_too_large'
        : 'invalid_document';
  // bson serializes into a 17 MiB buffer: a bigger document overflows it (Buffer.write).
  if (
    // By name: Node's Buffer throws its own realm's RangeError (not jest's, in a test).
    error.name === 'RangeError' &&
    (error as { code?: unknown }).code === 'ERR_OUT_OF_RANGE' &&
    /[/\\]bson[/\\]/.test(error.stack ?? '')
  )
    return 'document_too_large';
  if (error instanceof MongoInvalidArgumentError && TOO_LARGE.test(error.message))
    return 'document_too_large';
  if (error instanceof MongoServerError) return serverCategoryOf(error);
  return null;
}

function serverCategoryOf(error: MongoServerError): DeterministicCategory | null {
  const codes = [error.code, ...writeErrorCodesOf(error)].filter(
    (code): code is number => typeof code === 'number',
  );
  for (const code of codes) {
    const category = DOCUMENT_CODES.get(code);
    if (category === 'invalid_field_name' && code === 2 && TOO_LARGE.test(error.message))
      return 'document_too_large';
    if (category) return category;
  }
  if (codes.includes(1) && FERRETDB_STRING_STATES.test(error.message)) return 'invalid_string';
  return null;
}

function writeErrorCodesOf(error: MongoServerError): unknown[] {
  const writeErrors = (error as { writeErrors?: unknown }).writeErrors;
  const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
  return list.map((e) => (e as { code?: unknown }).code);
}

function hasRetryLabel(error: Error): boolean {
  const labelled = error as { hasErrorLabel?: (label: string) => boolean };
  return (
    typeof labelled.hasErrorLabel === 'function' &&
    RETRY_LABELS.some((label) => labelled.hasErrorLabel?.(label))
  );
}

/**
 * `projection_failed: <category>: <message>`, with control characters
 * escaped (the message may quote the refused key, NUL byte included, and
 * FerretDB cannot store a NUL in the status document) and cut to 300
 * characters: it goes into a Kafka header and `integration_status`.
 */
function reasonOf(category: DeterministicCategory, error: unknown): string {
  const message = isError(error) ? error.message : String(error);
  return `projection_failed: ${category}: ${printable(message)}`.slice(0, 300);
}

/** Control characters as `\uXXXX`, so the text is safe in any header or document. */
export function printable(text: string): string {
  return text.replace(
    // eslint-disable-next-line no-control-regex -- control characters are what it escapes
    /[\u0000-\u001f\u007f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
