import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { MongoClient } from 'mongodb';
import { Logger } from 'nestjs-pino';
import { strictHttpAdapter } from '@regentra/http-auth';
import { KafkaStartupError, preflightKafka } from '@regentra/kafka';
import { ConfigError, loadProjectorConfig, ProjectorConfig } from './config/projector.config';
import { serveOpenApi, withQuietStartup } from '@regentra/http-api';
import { projectorOpenApi } from './platform/openapi';
import { ProjectorModule } from './projector.module';
import { activeReadModel } from './replay/read-model-pointer.store';

/** Boots the projector from the environment; a bad variable stops start-up with its name. */
async function bootstrap(): Promise<void> {
  let config;
  try {
    config = loadProjectorConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`evidence-projector: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  config = await followReplayPointer(config);
  // A setting the broker refuses ends start-up here with one line naming it.
  await preflightKafka(config).catch((error: unknown) => {
    if (!(error instanceof KafkaStartupError)) throw error;
    process.stderr.write(`evidence-projector: ${error.message}\n`);
    process.exit(78); // EX_CONFIG
  });
  const app = await NestFactory.create(ProjectorModule.register({ config }), strictHttpAdapter(), {
    bufferLogs: true,
  });
  app.useLogger(withQuietStartup(app.get(Logger)));
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  serveOpenApi(app, projectorOpenApi(app));
  await app.listen(config.PORT, '0.0.0.0');
  app.get(Logger).log(`evidence-projector listening on :${config.PORT}`);
}

/** After `npm run replay -- --switch`, the replayed database and its group become the live ones. */
async function followReplayPointer(config: ProjectorConfig): Promise<ProjectorConfig> {
  const client = await new MongoClient(config.MONGODB_URI, {
    serverSelectionTimeoutMS: 10_000,
  }).connect();
  try {
    const pointer = await activeReadModel(client.db(config.PROJECTOR_DB));
    return pointer
      ? { ...config, PROJECTOR_DB: pointer.database, PROJECTOR_GROUP_ID: pointer.groupId }
      : config;
  } finally {
    await client.close();
  }
}

void bootstrap();
