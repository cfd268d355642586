import 'reflect-metadata';
import { ConfigError, loadCollectorConfig } from '../config/collector.config';
import { connectMongo } from '../platform/mongo.providers';
import { ConnectionsRepository } from './connections.repository';
import { KeyRotation } from './key-rotation';
import { TokenVault } from './token-vault';

/**
 * npm run rotate-keys: re-seals every stored Okta token with the first key of
 * TOKEN_ENCRYPTION_KEYS and reports how many tokens remain per key id. When
 * only the first key remains, the others can be removed from the setting.
 * Exit 1 when a token opens with no configured key.
 */
async function main(): Promise<void> {
  const config = loadCollectorConfig(process.env);
  const client = await connectMongo(config.MONGODB_URI);
  try {
    const repository = new ConnectionsRepository(client.db(config.COLLECTOR_DB));
    const rotation = new KeyRotation(repository, new TokenVault(config.TOKEN_ENCRYPTION_KEYS));
    const report = await rotation.resealAll();
    const remaining = Object.entries(report.remainingByKeyId)
      .map(([id, n]) => `${id}: ${n}${id === report.currentKeyId ? ' (current)' : ''}`)
      .join(', ');
    process.stdout.write(
      `rotate-keys: re-sealed ${report.resealed} token(s) with key ${report.currentKeyId}; ` +
        `tokens per key: ${remaining || 'none stored'}\n`,
    );
    if (report.undecryptable.length) {
      process.stderr.write(
        `rotate-keys: ${report.undecryptable.length} token(s) open with no configured key ` +
          `(orgs ${report.undecryptable.join(', ')}): their customers must save the token again\n`,
      );
      process.exitCode = 1;
    }
  } finally {
    await client.close();
  }
}

main().catch((error: unknown) => {
  const prefix = error instanceof ConfigError ? '' : 'failed: ';
  process.stderr.write(
    `rotate-keys: ${prefix}${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(error instanceof ConfigError ? 78 : 1);
});
