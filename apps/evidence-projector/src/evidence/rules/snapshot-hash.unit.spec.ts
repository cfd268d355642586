import { createHash } from 'node:crypto';
import { computeEvidence } from './evidence';
import { factor, orgState, user } from './org-state.testing';
import {
  canonicalJson,
  CanonicalJsonError,
  evidenceHash,
  evidenceHashOf,
  snapshotHash,
  verifySnapshot,
} from './snapshot-hash';

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

describe('evidenceHash (the stored snapshots recipe)', () => {
  const evidence = computeEvidence(
    orgState({
      users: [
        user('a', { factors: { status: 'read', items: [factor('push')] } }),
        user('b'),
        user('c', { status: 'DEPROVISIONED' }),
      ],
    }),
  )['access-review'];

  it('equals the hash of the whole evidence, however the lists are paged', async () => {
    const whole = snapshotHash(evidence);
    expect(await evidenceHashOf(evidence)).toBe(whole);
    const { items, ...head } = evidence;
    const lists = items as Record<string, unknown[]>;
    const onePerPage = (list: string) => (lists[list] ?? []).map((it) => [it]);
    // lists named in any order, pages of one item, streamed asynchronously
    const names = Object.keys(lists).reverse();
    const streamed = await evidenceHash(head, names, async function* (list) {
      for (const page of onePerPage(list)) yield page;
    });
    expect(streamed).toBe(whole);
  });

  it('counts empty lists and list names, so dropping one changes the hash', async () => {
    const { items, ...head } = evidence;
    const lists = items as Record<string, unknown[]>;
    expect(Object.values(lists).some((l) => l.length === 0)).toBe(true);
    const all = Object.keys(lists);
    const base = await evidenceHash(head, all, (l) => [lists[l] ?? []]);
    const withoutEmpty = all.filter((l) => (lists[l] ?? []).length > 0);
    expect(await evidenceHash(head, withoutEmpty, (l) => [lists[l] ?? []])).not.toBe(base);
  });

  it('changes when one item changes, moves or goes missing', async () => {
    const { items, ...head } = evidence;
    const lists = items as Record<string, Array<Record<string, unknown>>>;
    const names = Object.keys(lists);
    const base = await evidenceHash(head, names, (l) => [lists[l] ?? []]);
    const changed = structuredClone(lists);
    changed.activeUsers![0]!.login = 'someone-else';
    expect(await evidenceHash(head, names, (l) => [changed[l] ?? []])).not.toBe(base);
    const reordered = structuredClone(lists);
    reordered.activeUsers!.reverse();
    expect(await evidenceHash(head, names, (l) => [reordered[l] ?? []])).not.toBe(base);
    const dropped = (l: string) => [(lists[l] ?? []).slice(1)];
    expect(await evidenceHash(head, names, dropped)).not.toBe(base);
  });

  it('refuses a head that carries items, and non-JSON items', async () => {
    await expect(evidenceHash({ items: {} }, [], () => [])).rejects.toThrow(CanonicalJsonError);
    await expect(evidenceHash({}, ['l'], () => [[{ d: new Date(0) }]])).rejects.toThrow(
      'at $.items.l[0].d',
    );
  });
});
