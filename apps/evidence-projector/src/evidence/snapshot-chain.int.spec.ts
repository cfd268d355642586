import { INestApplication } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Db, MongoClient } from 'mongodb';
import { ApiExceptionFilter, HttpInputPipe } from '@regentra/http-api';
import { accessProviders, accessSettingsOf, strictHttpAdapter } from '@regentra/http-auth';
import { PROJECTOR_TOKEN, projectorConfig } from '../../../../test/support/apps';
import { CapturedLogs, isolation, services } from '../../../../test/support/test-env';
import { PROJECTOR_CONFIG } from '../config/projector.config';
import { Clock } from '../platform/clock';
import { PROJECTOR_DB } from '../platform/mongo.providers';
import { JwksController } from '../signing/jwks.controller';
import { SnapshotSigner } from '../signing/snapshot-signer';
import type { EvidenceSnapshotDocument } from './control-evidence.document';
import { EvidenceController } from './evidence.controller';
import { EvidenceService } from './evidence.service';
import { EVIDENCE_ITEMS, EVIDENCE_SNAPSHOTS, EvidenceStore } from './evidence.store';
import { computeEvidence } from './rules/evidence';
import { orgState, user } from './rules/org-state.testing';
import { verifyChainCli } from './verify-chain';

/**
 * Signed, chained snapshots against the real database, served over HTTP by
 * the projector's controllers behind its access guard, exported and checked
 * by `verify-snapshot --chain`: untouched they match (across a key
 * rotation); a changed page, a deleted snapshot, two reordered ones and an
 * edited manifest are each named. Snapshot s1 and s2 are signed by key k1,
 * s3 and s4 by k2 after the rotation (SNAPSHOT_SIGNING_KEYS=k2,k1).
 */
jest.setTimeout(120_000);

const ORG = 'org-chain';
const CONTROL = 'authentication';
const seed = () => randomBytes(32).toString('base64');
const K1 = `k1:${seed()}`;
const K2 = `k2:${seed()}`;
const iso = isolation('snapshot-chain');

let client: MongoClient;
let db: Db;
let app: INestApplication;
let url: string;
let dir: string;
const snapshots = () => db.collection<EvidenceSnapshotDocument>(EVIDENCE_SNAPSHOTS);

const clock: Clock = { now: () => new Date('2026-02-01T00:00:00.000Z') } as Clock;

function serviceWith(keys: string, into: Db): EvidenceService {
  const signer = new SnapshotSigner(
    projectorConfig(iso, { SNAPSHOT_SIGNING_KEYS: keys }).SNAPSHOT_SIGNING_KEYS,
  );
  return new EvidenceService(
    new EvidenceStore(into),
    clock,
    null as never,
    null as never,
    signer,
    null as never,
  );
}

/** Writes sync `s<n>`'s snapshots (its users differ by sync). */
async function writeSync(service: EvidenceService, n: number): Promise<void> {
  const asOf = `2026-01-0${n}T00:00:00.000Z`;
  const evidence = computeEvidence(
    orgState({
      orgId: ORG,
      syncId: `s${n}`,
      asOf,
      users: Array.from({ length: 5 + n }, (_, i) => user(`u${i}`)),
    }),
  );
  await service.write(
    { evidence, logsThrough: null },
    { syncId: `s${n}`, asOf, evidence, logsThrough: null },
    clock.now(),
  );
}

const get = (path: string, token?: string) =>
  fetch(`${url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

/** Saves the export of sync `syncId` to a file and returns its path. */
async function exported(syncId: string, name = syncId): Promise<string> {
  const res = await get(
    `/v1/orgs/${ORG}/evidence/${CONTROL}/snapshots/${syncId}/export`,
    PROJECTOR_TOKEN,
  );
  expect(res.status).toBe(200);
  const file = join(dir, `${name}.json`);
  writeFileSync(file, await res.text());
  return file;
}

/** verify-snapshot --chain on the files, against the JWKS the route serves now. */
async function verify(...files: string[]): Promise<{ code: number; out: string }> {
  const jwks = join(dir, 'jwks.json');
  writeFileSync(jwks, await (await get('/.well-known/jwks.json')).text());
  let out = '';
  const code = await verifyChainCli(
    ['--chain', '--org', ORG, '--control', CONTROL, '--jwks', jwks, ...files],
    (line) => (out += line),
    (line) => (out += line),
  );
  return { code, out };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'snapshot-chain-'));
  client = await new MongoClient(services().mongoUri, { retryWrites: false }).connect();
  db = client.db(iso.projectorDb);
  const config = projectorConfig(iso, { SNAPSHOT_SIGNING_KEYS: `${K2},${K1}` });
  const moduleRef = await Test.createTestingModule({
    controllers: [EvidenceController, JwksController],
    providers: [
      { provide: PROJECTOR_CONFIG, useValue: config },
      { provide: PROJECTOR_DB, useValue: db },
      ...accessProviders({
        app: 'evidence-projector',
        settings: accessSettingsOf(config, 'PROJECTOR_API_TOKEN', config.AUTH_AUDIENCE),
        destination: new CapturedLogs(),
      }),
      { provide: APP_PIPE, useClass: HttpInputPipe },
      { provide: APP_FILTER, useClass: ApiExceptionFilter },
      EvidenceStore,
      { provide: SnapshotSigner, useValue: new SnapshotSigner(config.SNAPSHOT_SIGNING_KEYS) },
    ],
  }).compile();
  app = moduleRef.createNestApplication(strictHttpAdapter(), { logger: false });
  await app.init();
  await app.listen(0, '127.0.0.1');
  url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  // Two syncs under k1, then the rotation: k2 signs, k1 stays in the JWKS.
  const before = serviceWith(K1, db);
  await writeSync(before, 1);
  await writeSync(before, 2);
  const after = serviceWith(`${K2},${K1}`, db);
  await writeSync(after, 3);
  await writeSync(after, 4);
});

afterAll(async () => {
  await app?.close();
  await db?.dropDatabase();
  await client?.close();
});

describe('signed, chained snapshots (real database, HTTP, verify-snapshot --chain)', () => {
  it('serves the public keys openly, the current one first, without private parts', async () => {
    const res = await get('/.well-known/jwks.json');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { keys: Array<Record<string, unknown>> };
    expect(body.keys.map((k) => [k.kid, k.kty, k.crv])).toEqual([
      ['k2', 'OKP', 'Ed25519'],
      ['k1', 'OKP', 'Ed25519'],
    ]);
    expect(body.keys.every((k) => !('d' in k))).toBe(true);
    const seeds = [K1, K2].map((k) => Buffer.from(k.slice(3), 'base64').toString('base64url'));
    for (const secret of seeds) expect(JSON.stringify(body)).not.toContain(secret);
    // the export is not public
    const anonymous = await get(`/v1/orgs/${ORG}/evidence/${CONTROL}/snapshots/s1/export`);
    expect(anonymous.status).toBe(401);
  });

  it('links each snapshot of a control to the one before, from position 1', async () => {
    const docs = await snapshots()
      .find({ orgId: ORG, control: CONTROL })
      .sort({ 'chain.position': 1 })
      .toArray();
    expect(docs.map((d) => [d.syncId, d.chain?.position])).toEqual([
      ['s1', 1],
      ['s2', 2],
      ['s3', 3],
      ['s4', 4],
    ]);
    docs.forEach((d, i) => expect(d.chain?.previousHash).toBe(i === 0 ? null : docs[i - 1]!.hash));
    expect(docs.map((d) => d.manifest?.codeVersion)).toEqual(
      Array(4).fill(expect.stringMatching(/^\d+\.\d+\.\d+/)),
    );
  });

  it('verifies the exports offline across the rotation: match', async () => {
    const files = [await exported('s2'), await exported('s4')];
    const { code, out } = await verify(...files);
    expect(out).toMatch(
      /^match chain of 4 snapshot\(s\) of org org-chain authentication, positions 1–4, newest sync s4 .* keys k1, k2\n$/,
    );
    expect(code).toBe(0);
  });

  it('never changes a stored snapshot when its write comes again, even with other evidence or key', async () => {
    const stored = await snapshots().find({ orgId: ORG }).sort({ _id: 1 }).toArray();
    const pages = await db.collection(EVIDENCE_ITEMS).countDocuments({ orgId: ORG });
    await writeSync(serviceWith(`k3:${seed()}`, db), 2);
    expect(await snapshots().find({ orgId: ORG }).sort({ _id: 1 }).toArray()).toEqual(stored);
    expect(await db.collection(EVIDENCE_ITEMS).countDocuments({ orgId: ORG })).toBe(pages);
  });

  it('writes the same chain into a fresh database (a replay) with the same keys', async () => {
    const fresh = client.db(`${iso.projectorDb}_fresh`);
    try {
      await writeSync(serviceWith(K1, fresh), 1);
      await writeSync(serviceWith(K1, fresh), 2);
      await writeSync(serviceWith(`${K2},${K1}`, fresh), 3);
      await writeSync(serviceWith(`${K2},${K1}`, fresh), 4);
      const sealed = (d: Db) =>
        d
          .collection<EvidenceSnapshotDocument>(EVIDENCE_SNAPSHOTS)
          .find({ orgId: ORG }, { projection: { chain: 1, manifest: 1, signature: 1, hash: 1 } })
          .sort({ _id: 1 })
          .toArray();
      expect(await sealed(fresh)).toEqual(await sealed(db));
    } finally {
      await fresh.dropDatabase();
    }
  });

  it('names a changed page of a stored snapshot', async () => {
    const pages = db.collection<{ _id: string; items: Array<Record<string, unknown>> }>(
      EVIDENCE_ITEMS,
    );
    const page = await pages.findOne({
      orgId: ORG,
      control: CONTROL,
      scope: 's2',
      'items.0': { $exists: true },
    });
    expect(page).not.toBeNull();
    const original = page!.items;
    await pages.updateOne(
      { _id: page!._id },
      { $set: { items: [{ ...original[0], login: 'forged@example.com' }, ...original.slice(1)] } },
    );
    try {
      const { code, out } = await verify(await exported('s2', 's2-tampered'));
      expect(out).toMatch(
        /^mismatch changed page: .*sync s2 \(position 2\) list \w+ page 0 \(items 0–\d+\) differs from its signed hash$/m,
      );
      expect(code).toBe(1);
    } finally {
      await pages.updateOne({ _id: page!._id }, { $set: { items: original } });
    }
  });

  it('names a deleted snapshot', async () => {
    const s2 = await snapshots().findOne({ _id: `${ORG}|${CONTROL}|s2` });
    await snapshots().deleteOne({ _id: s2!._id });
    try {
      const { code, out } = await verify(await exported('s3', 's3-after-delete'));
      expect(out).toBe(
        `mismatch deleted snapshot: ${join(dir, 's3-after-delete.json')}: position 2 missing before sync s3 (position 3), after sync s1 (position 1)\n`,
      );
      expect(code).toBe(1);
    } finally {
      await snapshots().insertOne(s2!);
    }
  });

  it('names two reordered snapshots', async () => {
    const swap = async (a: string, b: string, pa: number, pb: number) => {
      await snapshots().updateOne(
        { _id: `${ORG}|${CONTROL}|${a}` },
        { $set: { 'chain.position': pb } },
      );
      await snapshots().updateOne(
        { _id: `${ORG}|${CONTROL}|${b}` },
        { $set: { 'chain.position': pa } },
      );
    };
    await swap('s2', 's3', 2, 3);
    try {
      const { code, out } = await verify(await exported('s4', 's4-reordered'));
      expect(out).toMatch(
        /^mismatch reordered snapshots: .*positions 1, 3, 2, 4: sync s3 \(position 3\), sync s2 \(position 2\) out of signed order\n$/,
      );
      expect(code).toBe(1);
    } finally {
      await swap('s2', 's3', 3, 2);
    }
  });

  it('names a bad signature when a stored manifest is edited', async () => {
    const id = `${ORG}|${CONTROL}|s1`;
    await snapshots().updateOne(
      { _id: id },
      { $set: { 'manifest.asOf': '2020-01-01T00:00:00.000Z' } },
    );
    try {
      const { code, out } = await verify(await exported('s2', 's2-resigned'));
      expect(out).toMatch(
        /^mismatch bad signature: .*sync s1 \(position 1\): the signature does not verify with key k1\n$/,
      );
      expect(code).toBe(1);
    } finally {
      await snapshots().updateOne(
        { _id: id },
        { $set: { 'manifest.asOf': '2026-01-01T00:00:00.000Z' } },
      );
    }
    // restored, it matches again
    expect((await verify(await exported('s4', 's4-again'))).code).toBe(0);
  });
});
