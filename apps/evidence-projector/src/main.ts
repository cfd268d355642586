import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { ConfigError, loadProjectorConfig } from './config/projector.config';
import { ProjectorModule } from './projector.module';

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
  const app = await NestFactory.create(ProjectorModule.register({ config }), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await app.listen(config.PORT, '0.0.0.0');
  app.get(Logger).log(`evidence-projector listening on :${config.PORT}`);
}

void bootstrap();
