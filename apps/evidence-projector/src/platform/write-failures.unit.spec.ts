import {
  BSON,
  MongoInvalidArgumentError,
  MongoNetworkError,
  MongoServerError,
  MongoServerSelectionError,
} from 'mongodb';
import { classifyWriteFailure, printable } from './write-failures';

/** What `work` throws (the real error of the real library, not a copy of its message). */
function thrown(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

const serverError = (code: number, errmsg: string) =>
  new MongoServerError({ ok: 0, code, errmsg, message: errmsg });

describe('classifyWriteFailure', () => {
  describe('deterministic: the same document fails the same way every time', () => {
    it('given bson refusing a key with a NUL byte, then invalid_field_name, with the NUL escaped', () => {
      const failure = classifyWriteFailure(thrown(() => BSON.serialize({ 'ACTIVE\u0000': 1 })));
      expect(failure).toEqual({
        kind: 'deterministic',
        category: 'invalid_field_name',
        reason: expect.stringMatching(/^projection_failed: invalid_field_name: .*ACTIVE\\u0000/),
      });
      expect((failure as { reason: string }).reason).not.toContain('\u0000');
    });

    it('given bson overflowing its buffer on a 17 MiB document, then document_too_large', () => {
      // A field after the 17 MiB one: what the driver's command wrapper always adds.
      const big = { s: 'x'.repeat(17 * 1024 * 1024), t: 'y' };
      const error = thrown(() => BSON.serialize(big));
      expect(classifyWriteFailure(error)).toMatchObject({
        kind: 'deterministic',
        category: 'document_too_large',
      });
    });

    it('given the driver refusing a document over 16 MiB, then document_too_large', () => {
      const error = new MongoInvalidArgumentError(
        'Document is larger than the maximum size 16777216',
      );
      expect(classifyWriteFailure(error)).toMatchObject({ category: 'document_too_large' });
    });

    it.each([
      [2, `invalid key: "$set" (key must not start with '$' sign)`, 'invalid_field_name'],
      [2, 'object to insert too large. size in bytes: 17000000', 'document_too_large'],
      [57, 'dotted field name', 'invalid_field_name'],
      [10334, 'BSONObj size: 17000000 is invalid', 'document_too_large'],
      [17419, 'Resulting document after update is larger than 16777216', 'document_too_large'],
      [1, 'ERROR: unsupported Unicode escape sequence (SQLSTATE 22P05)', 'invalid_string'],
    ])('given server code %i (%s), then %s', (code, message, category) => {
      expect(classifyWriteFailure(serverError(code, message))).toMatchObject({
        kind: 'deterministic',
        category,
      });
    });

    it('given a deterministic error wrapped as a cause, then deterministic', () => {
      const wrapped = new Error('write failed', { cause: serverError(10334, 'too big') });
      expect(classifyWriteFailure(wrapped)).toMatchObject({ category: 'document_too_large' });
    });
  });

  describe('transient: retried, never dead-lettered', () => {
    it.each([
      ['the network', new MongoNetworkError('connection reset')],
      [
        'no server',
        new MongoServerSelectionError('Server selection timed out after 10000 ms', {
          error: undefined,
        } as never),
      ],
      ['a shutting-down server', serverError(91, 'The server is in quiesce mode')],
      ['FerretDB losing PostgreSQL', serverError(1, 'failed to connect to `host=127.0.0.1`')],
      ['an unknown error', new Error('something else')],
      ['a RangeError of our own', new RangeError('Invalid array length')],
      ['a string', 'boom'],
    ])('given %s, then transient', (_what, error) => {
      expect(classifyWriteFailure(error)).toEqual({ kind: 'transient' });
    });

    it('given a document code with a retryable label, then transient', () => {
      const error = serverError(2, 'bad value');
      error.addErrorLabel('RetryableWriteError');
      expect(classifyWriteFailure(error)).toEqual({ kind: 'transient' });
    });
  });

  it('escapes control characters', () => {
    expect(printable('a\u0000b\nc')).toBe('a\\u0000b\\u000ac');
  });
});
