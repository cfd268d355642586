import { resolveServices, ResolvedServices } from '../../scripts/infra/services';

declare global {
  var __regentraServices: ResolvedServices | undefined;
}

/** `--selectProjects unit` alone needs no services. */
function needsServices(argv: string[]): boolean {
  const at = argv.indexOf('--selectProjects');
  if (at < 0) return true;
  const names: string[] = [];
  for (const arg of argv.slice(at + 1)) {
    if (arg.startsWith('-')) break;
    names.push(arg);
  }
  return names.includes('integration') || names.includes('e2e');
}

/**
 * Resolves Kafka and MongoDB once per jest run, only when a selected project
 * needs them (unit-only runs start nothing). Test files see them as
 * KAFKA_BROKERS / MONGODB_URI and isolate themselves with random names.
 */
export default async function globalSetup(): Promise<void> {
  if (!needsServices(process.argv)) return;
  const services = await resolveServices();
  globalThis.__regentraServices = services;
  process.env.KAFKA_BROKERS = services.kafkaBrokers;
  process.env.MONGODB_URI = services.mongoUri;
  process.stderr.write(
    `\n[services] Kafka ${services.kafkaBrokers} (${services.sources.kafka}), MongoDB ${services.mongoUri} (${services.sources.mongo})\n`,
  );
}
