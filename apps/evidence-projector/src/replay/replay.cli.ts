import 'reflect-metadata';
import { SingleBar, Presets } from 'cli-progress';
import { MongoClient } from 'mongodb';
import { loadProjectorConfig } from '../config/projector.config';
import { switchReadModel } from './read-model-pointer.store';
import { replay } from './replay.runner';

/**
 * npm run replay -- [--target-db <name>] [--switch] [--publish-changes]
 * Rebuilds the read models from offset 0 into a fresh database with its own
 * consumer group, showing progress. --publish-changes publishes the replayed
 * syncs' change events to okta.changes.v1 again (same ids as the first time;
 * off by default). --switch records it as the active read
 * database: projector instances started afterwards read and write there
 * (restart them; the pointer lives in <PROJECTOR_DB>.read_model_pointer).
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const config = loadProjectorConfig(process.env);
  const suffix = new Date()
    .toISOString()
    .replace(/[-:.TZ]/g, '')
    .slice(0, 14);
  const targetAt = args.indexOf('--target-db');
  const targetDb =
    targetAt >= 0 ? (args[targetAt + 1] ?? '') : `${config.PROJECTOR_DB}_replay_${suffix}`;
  const groupId = `${config.PROJECTOR_GROUP_ID}.replay.${suffix}`;
  const bar = new SingleBar(
    { format: 'replay {phase} [{bar}] {value}/{total} records' },
    Presets.shades_classic,
  );
  let started = false;
  const result = await replay({
    config,
    targetDb,
    groupId,
    publishChanges: args.includes('--publish-changes'),
    onProgress: (p) => {
      if (!started) bar.start(p.total, 0, { phase: p.phase });
      started = true;
      bar.setTotal(p.total);
      bar.update(p.done, { phase: p.phase });
    },
  });
  bar.stop();
  process.stdout.write(
    `replayed ${result.systemLogRecords} system-log and ${result.identityRecords} identity records into ${targetDb}\n`,
  );
  if (args.includes('--switch')) {
    const client = await new MongoClient(config.MONGODB_URI).connect();
    await switchReadModel(client.db(config.PROJECTOR_DB), targetDb, groupId);
    await client.close();
    process.stdout.write(
      `switched: projectors started from now on use database ${targetDb} and group ${groupId}\n`,
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`replay: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
