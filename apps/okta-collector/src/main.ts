import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { strictHttpAdapter } from '@regentra/http-auth';
import { KafkaStartupError, preflightKafka } from '@regentra/kafka';
import { serveOpenApi, withQuietStartup } from '@regentra/http-api';
import { CollectorModule } from './collector.module';
import { ConfigError, loadCollectorConfig } from './config/collector.config';
import { collectorOpenApi } from './platform/openapi';

/** Boots the collector from the environment; a bad variable stops start-up with its name. */
async function bootstrap(): Promise<void> {
  let config;
  try {
    config = loadCollectorConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`okta-collector: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  // A setting the broker refuses ends start-up here with one line naming it.
  await preflightKafka(config).catch((error: unknown) => {
    if (!(error instanceof KafkaStartupError)) throw error;
    process.stderr.write(`okta-collector: ${error.message}\n`);
    process.exit(78); // EX_CONFIG
  });
  const app = await NestFactory.create(CollectorModule.register({ config }), strictHttpAdapter(), {
    bufferLogs: true,
  });
  app.useLogger(withQuietStartup(app.get(Logger)));
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  serveOpenApi(app, collectorOpenApi(app));
  await app.listen(config.PORT, '0.0.0.0');
  app.get(Logger).log(`okta-collector listening on :${config.PORT}`);
}

void bootstrap();
