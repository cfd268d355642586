import { randomBytes } from 'node:crypto';
import { jwksOf, parseSigningKeys, signDetached, SigningKey } from '../signing/signing-keys';
import { NamedExport, verifyChain } from './chain-verification';
import { evidenceHashOf } from './rules/snapshot-hash';
import { EXPORT_FORMAT, SnapshotExport } from './snapshot-export';
import { linkAfter, manifestOf, manifestPayload } from './snapshot-manifest';

const key = (kid: string): SigningKey =>
  parseSigningKeys(`${kid}:${randomBytes(32).toString('base64')}`).keys[0]!;
const SUBJECT = { orgId: 'acme', control: 'authentication' };

/** The exports of a chain of `n` snapshots, each with a two-page list, signed by `signer(i)`. */
async function chainOf(n: number, signer: (i: number) => SigningKey): Promise<SnapshotExport[]> {
  const exports: SnapshotExport[] = [];
  let previous: { position: number; hash: string } | null = null;
  for (let i = 1; i <= n; i++) {
    const syncId = `s${i}`;
    const asOf = `2026-01-0${i}T00:00:00.000Z`;
    const users = [{ id: `u${i}` }, { id: 'u0' }, { id: 'u9' }];
    const head = { ...SUBJECT, syncId, asOf, summary: { activeUsers: 3 } };
    const hash = await evidenceHashOf({ ...head, items: { users } });
    const link = linkAfter(previous);
    const manifest = manifestOf(
      {
        ...SUBJECT,
        syncId,
        asOf,
        logsThrough: null,
        hash,
        rulesVersion: null,
        codeVersion: '0.1.0',
      },
      link,
      {
        users: {
          index: { total: 3, pageStarts: [0, 2] },
          pages: [users.slice(0, 2), users.slice(2)],
        },
      },
    );
    const signature = signDetached(manifestPayload(manifest), signer(i));
    const chain = exports.map(({ syncId: s, manifest: m, signature: sig }) => ({
      syncId: s,
      manifest: m,
      signature: sig,
    }));
    exports.push({
      format: EXPORT_FORMAT,
      ...SUBJECT,
      syncId,
      manifest,
      signature,
      chain,
      evidence: { ...head, items: { users } },
    });
    previous = { position: link.position, hash };
  }
  return exports;
}

const named = (exports: SnapshotExport[]): NamedExport[] =>
  exports.map((content) => ({ file: `${content.syncId}.json`, content }));
const kinds = (verdict: { problems: Array<{ kind: string }> }) =>
  verdict.problems.map((p) => p.kind);

describe('verifying exported snapshot chains offline', () => {
  const k1 = key('k1');

  it('given untouched exports, when verified, then they match and the chain runs 1…n', async () => {
    const verdict = await verifyChain(named(await chainOf(3, () => k1)), SUBJECT, jwksOf([k1]));
    expect(verdict.problems).toEqual([]);
    expect(verdict.chain.map((c) => [c.position, c.syncId, c.kid])).toEqual([
      [1, 's1', 'k1'],
      [2, 's2', 'k1'],
      [3, 's3', 'k1'],
    ]);
  });

  it('given one changed item, when verified, then the page holding it is named', async () => {
    const exports = await chainOf(2, () => k1);
    (exports[1]!.evidence.items.users![2] as { id: string }).id = 'intruder';
    const verdict = await verifyChain(named(exports), SUBJECT, jwksOf([k1]));
    expect(verdict.problems).toContainEqual({
      kind: 'changed page',
      detail:
        's2.json: sync s2 (position 2) list users page 1 (items 2–2) differs from its signed hash',
    });
    expect(kinds(verdict)).not.toContain('bad signature');
  });

  it('given a changed head, when verified, then the evidence hash is reported', async () => {
    const exports = await chainOf(1, () => k1);
    (exports[0]!.evidence.summary as { activeUsers: number }).activeUsers = 4;
    expect(kinds(await verifyChain(named(exports), SUBJECT, jwksOf([k1])))).toEqual([
      'changed evidence',
    ]);
  });

  it('given a snapshot deleted from the chain, when verified, then the missing position is named', async () => {
    const exports = await chainOf(3, () => k1);
    exports[2]!.chain.splice(1, 1);
    const verdict = await verifyChain(named([exports[2]!]), SUBJECT, jwksOf([k1]));
    expect(verdict.problems).toEqual([
      {
        kind: 'deleted snapshot',
        detail:
          's3.json: position 2 missing before sync s3 (position 3), after sync s1 (position 1)',
      },
    ]);
  });

  it('given the first snapshot deleted, when verified, then position 1 is missing', async () => {
    const exports = await chainOf(3, () => k1);
    exports[2]!.chain.shift();
    expect(kinds(await verifyChain(named([exports[2]!]), SUBJECT, jwksOf([k1])))).toEqual([
      'deleted snapshot',
    ]);
  });

  it('given two snapshots swapped, when verified, then they are reported reordered (and nothing deleted)', async () => {
    const exports = await chainOf(4, () => k1);
    const chain = exports[3]!.chain;
    [chain[1], chain[2]] = [chain[2]!, chain[1]!];
    const verdict = await verifyChain(named([exports[3]!]), SUBJECT, jwksOf([k1]));
    expect(verdict.problems).toEqual([
      {
        kind: 'reordered snapshots',
        detail:
          's4.json: the chain lists positions 1, 3, 2, 4: sync s3 (position 3), sync s2 (position 2) out of signed order',
      },
    ]);
  });

  it('given a manifest edited after signing, when verified, then its signature is bad', async () => {
    const exports = await chainOf(2, () => k1);
    exports[1]!.chain[0]!.manifest.asOf = '2020-01-01T00:00:00.000Z';
    const verdict = await verifyChain(named([exports[1]!]), SUBJECT, jwksOf([k1]));
    expect(verdict.problems).toEqual([
      {
        kind: 'bad signature',
        detail: 's2.json: sync s1 (position 1): the signature does not verify with key k1',
      },
    ]);
  });

  it('given a manifest signed by a stranger key under our kid, when verified, then its signature is bad', async () => {
    const exports = await chainOf(2, () => k1);
    const forged = (await chainOf(1, () => key('k1')))[0]!;
    forged.manifest.syncId = 's1';
    exports[1]!.chain[0] = { syncId: 's1', manifest: forged.manifest, signature: forged.signature };
    const verdict = await verifyChain(named([exports[1]!]), SUBJECT, jwksOf([k1]));
    expect(kinds(verdict)).toEqual(['bad signature']);
  });

  it('given a relinked chain, when verified, then the broken link is named', async () => {
    const exports = await chainOf(2, () => k1);
    const s2 = exports[1]!;
    s2.manifest.previousHash = `sha256:${'0'.repeat(64)}`;
    s2.signature = signDetached(manifestPayload(s2.manifest), k1);
    expect(kinds(await verifyChain(named([s2]), SUBJECT, jwksOf([k1])))).toEqual(['broken link']);
  });

  it('given a rotation after s2, when verified with the JWKS that keeps the old key, then every signature verifies', async () => {
    const k2 = key('k2');
    const exports = await chainOf(3, (i) => (i <= 2 ? k1 : k2));
    const rotated = jwksOf([k2, k1]);
    const verdict = await verifyChain(named(exports), SUBJECT, rotated);
    expect(verdict.problems).toEqual([]);
    expect(verdict.chain.map((c) => c.kid)).toEqual(['k1', 'k1', 'k2']);
    // without the old key, the old signatures are refused
    const bad = await verifyChain(named([exports[2]!]), SUBJECT, jwksOf([k2]));
    expect(bad.problems.map((p) => p.detail)).toEqual([
      's3.json: sync s1 (position 1): key k1 is not in the JWKS',
      's3.json: sync s2 (position 2): key k1 is not in the JWKS',
    ]);
  });

  it('given two exports disagreeing on a position, when verified together, then the chain is forked', async () => {
    const one = await chainOf(2, () => k1);
    const other = await chainOf(2, () => k1);
    other[1]!.manifest.codeVersion = '9.9.9';
    other[1]!.signature = signDetached(manifestPayload(other[1]!.manifest), k1);
    const verdict = await verifyChain(
      [
        { file: 'a.json', content: one[1]! },
        { file: 'b.json', content: other[1]! },
      ],
      SUBJECT,
      jwksOf([k1]),
    );
    expect(kinds(verdict)).toContain('forked chain');
  });

  it('given another org, when verified, then the subject is wrong', async () => {
    const exports = await chainOf(1, () => k1);
    const verdict = await verifyChain(named(exports), { ...SUBJECT, orgId: 'other' }, jwksOf([k1]));
    expect(kinds(verdict)).toEqual(['wrong subject']);
  });
});
