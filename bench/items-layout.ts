import { MongoClient } from 'mongodb';
import { resolveServices } from '../scripts/infra/services';

/**
 * `node dist/bench/items-layout.js [orgs]`: the cost of replacing every org's
 * current evidence (4 controls, 3 item pages each) on the MongoDB-wire server
 * in use, two ways: a collection per generation dropped when displaced (the
 * SQLite-era layout), and one collection with the generation in the documents,
 * the displaced one removed by deleteMany on an index. Ratios in one run.
 */
async function main(): Promise<void> {
  const orgs = Number(process.argv[2] ?? 250);
  const services = await resolveServices();
  const client = await new MongoClient(services.mongoUri, { retryWrites: false }).connect();
  const page = (orgId: string, control: string, generation: string, n: number) => ({
    _id: `${orgId}|${control}|current|${generation}|list|${n}`,
    orgId,
    control,
    scope: 'current',
    generation,
    items: Array.from({ length: 50 }, (_, i) => ({
      userId: `00u${i}`,
      login: `u${i}@example.com`,
    })),
  });
  const controls = ['a', 'b', 'c', 'd'];
  try {
    const perGeneration = client.db('bench_items_per_generation');
    const shared = client.db('bench_items_shared');
    await shared
      .collection('evidence_items')
      .createIndex({ orgId: 1, control: 1, scope: 1, generation: 1 });
    const timed = async (work: () => Promise<void>) => {
      const started = Date.now();
      await work();
      return Date.now() - started;
    };
    for (const db of [perGeneration, shared]) await db.dropDatabase().catch(() => undefined);
    await shared
      .collection('evidence_items')
      .createIndex({ orgId: 1, control: 1, scope: 1, generation: 1 });
    const results: Record<string, number> = {};
    for (const [name, write] of [
      [
        'per_generation_ms',
        async (orgId: string, control: string, g: number) => {
          await perGeneration
            .collection(`current_${orgId}_${control}_${g}`)
            .insertMany([0, 1, 2].map((n) => page(orgId, control, String(g), n)) as never[]);
          if (g > 0) await perGeneration.collection(`current_${orgId}_${control}_${g - 1}`).drop();
        },
      ],
      [
        'shared_ms',
        async (orgId: string, control: string, g: number) => {
          await shared
            .collection('evidence_items')
            .insertMany([0, 1, 2].map((n) => page(orgId, control, String(g), n)) as never[]);
          if (g > 0)
            await shared
              .collection('evidence_items')
              .deleteMany({ orgId, control, scope: 'current', generation: String(g - 1) });
        },
      ],
    ] as const) {
      // generation 0 everywhere first (the fleet's state), then time the replacement by generation 1
      for (let o = 0; o < orgs; o++) for (const c of controls) await write(`org${o}`, c, 0);
      results[name] = await timed(async () => {
        for (let o = 0; o < orgs; o++) for (const c of controls) await write(`org${o}`, c, 1);
      });
    }
    const collections = (await perGeneration.listCollections({}, { nameOnly: true }).toArray())
      .length;
    process.stdout.write(
      `${JSON.stringify({ orgs, ...results, shared_vs_per_generation: results.shared_ms! / results.per_generation_ms!, per_generation_collections: collections })}\n`,
    );
    for (const db of [perGeneration, shared]) await db.dropDatabase();
  } finally {
    await client.close();
    await services.stop();
  }
}

void main().catch((error: unknown) => {
  process.stderr.write(`items-layout: ${String(error)}\n`);
  process.exit(1);
});
