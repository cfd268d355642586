import { NestFactory } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import { loadCollectorConfig } from '../../apps/okta-collector/src/config/collector.config';
import { CollectorModule } from '../../apps/okta-collector/src/collector.module';
import { collectorOpenApi } from '../../apps/okta-collector/src/platform/openapi';
import { loadProjectorConfig } from '../../apps/evidence-projector/src/config/projector.config';
import { projectorOpenApi } from '../../apps/evidence-projector/src/platform/openapi';
import { ProjectorModule } from '../../apps/evidence-projector/src/projector.module';

/** Placeholder settings: the modules are only inspected, never started. */
const common = {
  KAFKA_BROKERS: '127.0.0.1:9',
  MONGODB_URI: 'mongodb://127.0.0.1:9',
  LOG_LEVEL: 'silent',
};

/**
 * Both apps' OpenAPI documents from their real modules, without Kafka or a
 * database: Nest's preview mode builds the module graph (controllers, routes,
 * decorators) and instantiates no provider.
 */
export async function openApiDocuments(): Promise<Record<string, OpenAPIObject>> {
  const collector = await NestFactory.create(
    CollectorModule.register({
      config: loadCollectorConfig({
        ...common,
        COLLECTOR_API_TOKEN: 'docs-placeholder-token-0123456789',
        TOKEN_ENCRYPTION_KEYS: `docs:${Buffer.alloc(32).toString('base64')}`,
      }),
    }),
    { preview: true, logger: false, abortOnError: false },
  );
  const projector = await NestFactory.create(
    ProjectorModule.register({
      config: loadProjectorConfig({
        ...common,
        PROJECTOR_API_TOKEN: 'docs-placeholder-token-0123456789',
      }),
    }),
    { preview: true, logger: false, abortOnError: false },
  );
  try {
    return {
      'okta-collector': collectorOpenApi(collector),
      'evidence-projector': projectorOpenApi(projector),
    };
  } finally {
    await collector.close();
    await projector.close();
  }
}
