import { DynamicModule, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { MongoClient } from 'mongodb';
import type { DestinationStream } from 'pino';
import { Registry } from 'prom-client';
import { PROJECTOR_CONFIG, ProjectorConfig } from './config/projector.config';
import { PROJECTED_TOPICS, PROJECTION_HANDLER } from './consumption/projection-handler';
import { ProjectionConsumer } from './consumption/projection.consumer';
import { HealthController } from './health/health.controller';
import { IntegrationStatusWriter } from './integration-status/integration-status.writer';
import { CLOCK, Clock, systemClock } from './platform/clock';
import { KAFKA, kafkaProviders, TOPIC_NAMES } from './kafka/kafka.providers';
import { projectorLogging } from './platform/logging';
import { createProjectorMetrics, METRICS_REGISTRY, PROJECTOR_METRICS } from './platform/metrics';
import { MONGO_CLIENT, openMongo, PROJECTOR_DB } from './platform/mongo.providers';
import { ReadModelProjector } from './projection/read-model.projector';
import { EvidenceService } from './evidence-store/evidence.service';
import { IdentityProjection } from './identity-projection/identity.projection';
import { IdentitySyncsRepository } from './identity-projection/identity-syncs.repository';
import { MaterializerService } from './identity-projection/materializer.service';
import { StagingRepository } from './identity-projection/staging.repository';
import { EvidenceController } from './read-api/evidence.controller';
import { LogEventsRepository } from './system-log-projection/log-events.repository';
import { SystemLogProjection } from './system-log-projection/system-log.projection';

export interface ProjectorModuleOptions {
  config: ProjectorConfig;
  clock?: Clock;
  logDestination?: DestinationStream;
  /** Topics to project (default both); replay projects the System Log first. */
  topics?: Array<'identity' | 'systemLog'>;
}

class MongoShutdown implements OnApplicationShutdown {
  constructor(@Inject(MONGO_CLIENT) private readonly client: MongoClient) {}
  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}

@Module({})
export class ProjectorModule {
  static register(options: ProjectorModuleOptions): DynamicModule {
    const { config } = options;
    return {
      module: ProjectorModule,
      imports: [TerminusModule, projectorLogging(config.LOG_LEVEL, options.logDestination)],
      controllers: [HealthController, EvidenceController],
      providers: [
        { provide: PROJECTOR_CONFIG, useValue: config },
        { provide: CLOCK, useValue: options.clock ?? systemClock },
        { provide: PROJECTED_TOPICS, useValue: options.topics ?? ['identity', 'systemLog'] },
        ...kafkaProviders(config),
        { provide: MONGO_CLIENT, useFactory: () => openMongo(config.MONGODB_URI) },
        {
          provide: PROJECTOR_DB,
          useFactory: (c: MongoClient) => c.db(config.PROJECTOR_DB),
          inject: [MONGO_CLIENT],
        },
        { provide: METRICS_REGISTRY, useFactory: () => new Registry() },
        {
          provide: PROJECTOR_METRICS,
          useFactory: createProjectorMetrics,
          inject: [METRICS_REGISTRY],
        },
        MongoShutdown,
        IntegrationStatusWriter,
        StagingRepository,
        IdentitySyncsRepository,
        MaterializerService,
        LogEventsRepository,
        EvidenceService,
        IdentityProjection,
        SystemLogProjection,
        ReadModelProjector,
        { provide: PROJECTION_HANDLER, useExisting: ReadModelProjector },
        ProjectionConsumer,
      ],
      exports: [PROJECTOR_DB, KAFKA, TOPIC_NAMES],
    };
  }
}
