import { createHash } from 'node:crypto';
import { computeEvidence } from './evidence';
import { factor, orgState, user } from './org-state.testing';
import { canonicalJson, CanonicalJsonError, snapshotHash, verifySnapshot } from './snapshot-hash';

describe('canonicalJson', () => {
  it('sorts keys recursively, keeps array order, writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1, { z: true, y: 'é"' }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,1,{"y":"é\\"","z":true}]},"b":1}',
    );
  });

  it('does not depend on key insertion order', () => {
    const one = { summary: { x: 1, y: [{ p: 1, q: 2 }] }, orgId: 'o' };
    const two = { orgId: 'o', summary: { y: [{ q: 2, p: 1 }], x: 1 } };
    expect(JSON.stringify(one)).not.toBe(JSON.stringify(two));
    expect(canonicalJson(one)).toBe(canonicalJson(two));
    expect(snapshotHash(one)).toBe(snapshotHash(two));
  });

  it('keeps array order significant', () => {
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
  });

  it('sorts keys by code unit, not locale', () => {
    expect(canonicalJson({ b: 1, B: 2, a: 3, _: 4 })).toBe('{"B":2,"_":4,"a":3,"b":1}');
  });

  it.each([
    ['undefined', undefined, '$'],
    ['an undefined member', { a: { b: undefined } }, '$.a.b'],
    ['an undefined element', [1, undefined], '$[1]'],
    ['NaN', { n: NaN }, '$.n'],
    ['Infinity', [Infinity], '$[0]'],
    ['a function', { f: () => 1 }, '$.f'],
    ['a symbol', { s: Symbol('s') }, '$.s'],
    ['a bigint', { b: BigInt(1) }, '$.b'],
    ['a Date', { d: new Date(0) }, '$.d'],
    ['a Map', { m: new Map() }, '$.m'],
  ])('rejects %s, naming where', (_label, value, path) => {
    expect(() => canonicalJson(value)).toThrow(CanonicalJsonError);
    expect(() => canonicalJson(value)).toThrow(` at ${path}`);
  });

  it('rejects cycles but accepts a shared object', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/circular reference at \$\.self/);
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: [shared] })).toBe('{"a":{"x":1},"b":[{"x":1}]}');
  });
});

describe('snapshotHash and verifySnapshot', () => {
  const state = orgState({
    users: [user('a', { factors: { status: 'read', items: [factor('push')] } }), user('b')],
  });

  it('is sha256: and the hex SHA-256 of the canonical JSON', () => {
    expect(snapshotHash({})).toBe(
      'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
    );
    expect(snapshotHash({ b: null, a: [1, 'x'] })).toBe(
      'sha256:854ef06dc57f5dfed10206344ab2d02e0b6c84b0e19436703a5afd0f1f9f2687',
    );
    const evidence = computeEvidence(state).authentication;
    const expected = createHash('sha256').update(canonicalJson(evidence)).digest('hex');
    expect(snapshotHash(evidence)).toBe(`sha256:${expected}`);
  });

  it('verifies an unchanged snapshot, also after a JSON round trip with other key order', () => {
    const evidence = computeEvidence(state).authentication;
    const hash = snapshotHash(evidence);
    expect(verifySnapshot({ hash, evidence })).toBe(true);
    const roundTripped: unknown = JSON.parse(JSON.stringify(evidence));
    expect(verifySnapshot({ hash, evidence: roundTripped })).toBe(true);
  });

  it('fails verification when one field changes', () => {
    const evidence = computeEvidence(state).authentication;
    const hash = snapshotHash(evidence);
    const tampered = structuredClone(evidence);
    tampered.summary.mfaCoverage.numerator += 1;
    expect(snapshotHash(tampered)).not.toBe(hash);
    expect(verifySnapshot({ hash, evidence: tampered })).toBe(false);
    expect(verifySnapshot({ hash: 'sha256:00', evidence })).toBe(false);
    expect(verifySnapshot({ hash, evidence: { ...evidence, extra: undefined } })).toBe(false);
  });

  it('changes the hash of the affected control only when the org changes', () => {
    const before = computeEvidence(state);
    const after = computeEvidence({
      ...state,
      users: [
        user('a', { factors: { status: 'read', items: [factor('push')] } }),
        user('b', { factors: { status: 'read', items: [factor('sms')] } }),
      ],
    });
    expect(snapshotHash(after.authentication)).not.toBe(snapshotHash(before.authentication));
    expect(snapshotHash(after['access-review'])).toBe(snapshotHash(before['access-review']));
  });
});

describe('canonicalJson across realms', () => {
  it('accepts plain objects from another realm and null-prototype objects, not class instances', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const vm = require('node:vm') as typeof import('node:vm');
    const foreign: unknown = vm.runInNewContext('({ b: [1], a: { c: "x" } })');
    expect(canonicalJson(foreign)).toBe('{"a":{"c":"x"},"b":[1]}');
    const bare = Object.assign(Object.create(null) as Record<string, number>, { z: 1, y: 2 });
    expect(canonicalJson(bare)).toBe('{"y":2,"z":1}');
    class Thing {
      x = 1;
    }
    expect(() => canonicalJson({ t: new Thing() })).toThrow('Thing is not a plain object at $.t');
  });
});
