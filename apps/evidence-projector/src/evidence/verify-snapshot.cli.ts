import 'reflect-metadata';
import { withSecretFiles } from '@regentra/http-auth';
import { ProjectorEnvSchema } from '../config/projector.config';
import { openMongo } from '../platform/mongo.providers';
import { EvidenceStore } from './evidence.store';
import { CONTROL_IDS, ControlId } from './rules/controls.registry';
import { verifyStoredSnapshot } from './snapshot-verification';
import { verifyChainCli } from './verify-chain';

/**
 * npm run verify-snapshot -- <orgId> <control> <syncId>
 * Recomputes one evidence snapshot's hash from the stored documents
 * (MONGODB_URI, database PROJECTOR_DB) and prints `match` (exit 0) or
 * `mismatch` with both hashes (exit 1); 2 when it cannot tell.
 *
 * npm run verify-snapshot -- --chain --org … --control … --jwks <file> <export>…
 * verifies exports offline, signatures and chain (verify-chain.ts).
 */
async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--chain'))
    return verifyChainCli(
      argv,
      (line) => process.stdout.write(line),
      (line) => process.stderr.write(line),
    );
  const [orgId, control, syncId] = argv;
  if (!orgId || !control || !syncId || !(CONTROL_IDS as readonly string[]).includes(control)) {
    process.stderr.write(
      `usage: npm run verify-snapshot -- <orgId> <${CONTROL_IDS.join('|')}> <syncId>\n`,
    );
    return 2;
  }
  // Only the database is needed (validated like the projector's), not Kafka.
  const files = withSecretFiles(process.env, ['MONGODB_URI']);
  const parsed = ProjectorEnvSchema.pick({ MONGODB_URI: true, PROJECTOR_DB: true }).safeParse(
    files.env,
  );
  if (files.problems.length) {
    process.stderr.write(`verify-snapshot: invalid configuration: ${files.problems.join('; ')}\n`);
    return 2;
  }
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`);
    process.stderr.write(`verify-snapshot: invalid configuration: ${problems.join('; ')}\n`);
    return 2;
  }
  const config = parsed.data;
  const client = await openMongo(config.MONGODB_URI);
  try {
    const store = new EvidenceStore(client.db(config.PROJECTOR_DB));
    const verdict = await verifyStoredSnapshot(store, orgId, control as ControlId, syncId);
    if (verdict.result === 'not-found') {
      process.stderr.write(`no ${control} snapshot of org ${orgId} at sync ${syncId}\n`);
      return 2;
    }
    if (verdict.result === 'match') {
      process.stdout.write(`match ${verdict.stored}\n`);
      return 0;
    }
    process.stdout.write(
      `mismatch stored=${verdict.stored} computed=${verdict.computed ?? '(unreadable)'}` +
        `${verdict.reason ? ` reason=${verdict.reason}` : ''}\n`,
    );
    return 1;
  } finally {
    await client.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `verify-snapshot: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(2);
  },
);
