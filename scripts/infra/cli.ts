import { resolveServices } from './services';
import { ensureFerretdbBinary } from './ferretdb';
import { ensureKafkaJars } from './kafka';

/**
 * `npm run infra -- up`      start Kafka + FerretDB, print their env, run until Ctrl-C
 *                            (export the printed variables and jest reuses them)
 * `npm run infra -- prepare` only download/build into the cache (CI warm-up)
 */
async function main(): Promise<void> {
  const command = process.argv[2] ?? 'up';
  if (command === 'prepare') {
    ensureKafkaJars();
    ensureFerretdbBinary();
    process.stdout.write('infra: Kafka jars and FerretDB binary are in the cache\n');
    return;
  }
  if (command !== 'up') throw new Error(`unknown command "${command}" (up | prepare)`);
  const services = await resolveServices();
  process.stdout.write(
    `export KAFKA_BROKERS=${services.kafkaBrokers}\nexport MONGODB_URI='${services.mongoUri}'\n`,
  );
  const stop = () => void services.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  setInterval(() => undefined, 1 << 30);
}

main().catch((error: unknown) => {
  process.stderr.write(`infra: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
