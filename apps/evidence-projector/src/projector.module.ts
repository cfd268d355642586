import { DynamicModule, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { MongoClient } from 'mongodb';
import type { DestinationStream } from 'pino';
import { Registry } from 'prom-client';
import { ApiExceptionFilter, HttpInputPipe } from '@regentra/http-api';
import { accessProviders, accessSettingsOf } from '@regentra/http-auth';
import { ChangeEventsService } from './changes/change-events.service';
import { PROJECTOR_CONFIG, ProjectorConfig } from './config/projector.config';
import { DirectoryReader } from './directory/directory.reader';
import { DirectoryStore } from './directory/directory.store';
import { FOLD_MODE } from './directory/fold-mode';
import { FoldedRuns } from './directory/folded-runs';
import { IdentityFenceFilter } from './directory/identity-fence.filter';
import { IdentityFencesRepository } from './directory/identity-fences.repository';
import { IdentityProjection, MEASURE_CHANGES } from './directory/identity.projection';
import { IdentitySyncsRepository } from './directory/identity-syncs.repository';
import { MaterializerService } from './directory/materializer.service';
import { StagingRepository } from './directory/staging.repository';
import { EvidenceController } from './evidence/evidence.controller';
import { EvidenceService } from './evidence/evidence.service';
import { EvidenceStore } from './evidence/evidence.store';
import { HealthController } from './health/health.controller';
import { IntegrationStatusRepository } from './integration-status/integration-status.repository';
import { IntegrationStatusWriter } from './integration-status/integration-status.writer';
import { ChangeEventsPublisher } from './kafka/change-events.publisher';
import { KAFKA, kafkaProviders, TOPIC_NAMES } from './kafka/kafka.providers';
import { OktaEventsConsumer } from './kafka/okta-events.consumer';
import { PROJECTED_TOPICS, ProjectionRouter } from './kafka/projection.router';
import { ProjectorProducer } from './kafka/projector-producer';
import { LogDaysBackfill } from './log-facts/log-days.backfill';
import { LogDaysRepository } from './log-facts/log-days.repository';
import { LogDirtyDaysRepository } from './log-facts/log-dirty-days.repository';
import { LogDaysWriter } from './log-facts/log-days.writer';
import { LogEventsRepository } from './log-facts/log-events.repository';
import { LogFactsReader } from './log-facts/log-facts.reader';
import { LogPollsRepository } from './log-facts/log-polls.repository';
import { LogRereadPublisher } from './kafka/log-reread.publisher';
import { LogRollupMarksRepository } from './log-facts/log-rollup-marks.repository';
import { SystemLogProjection } from './log-facts/system-log.projection';
import { CLOCK, Clock, systemClock } from './platform/clock';
import { projectorLogging } from './platform/logging';
import { createProjectorMetrics, METRICS_REGISTRY, PROJECTOR_METRICS } from './platform/metrics';
import { MONGO_CLIENT, openMongo, PROJECTOR_DB } from './platform/mongo.providers';
import { JwksController } from './signing/jwks.controller';
import { SnapshotSigner } from './signing/snapshot-signer';

export interface ProjectorModuleOptions {
  config: ProjectorConfig;
  clock?: Clock;
  logDestination?: DestinationStream;
  /** Topics to project (default both); replay projects the System Log first. */
  topics?: Array<'identity' | 'systemLog'>;
  /**
   * Publish each applied sync's changes to `okta.changes.v1` (default: the
   * config's PUBLISH_CHANGE_EVENTS); a replay turns it off unless asked.
   */
  publishChanges?: boolean;
  /**
   * A replay: runs of one org's completed syncs are held across batches and
   * pages staged in memory only (see FoldMode). Default false.
   */
  replay?: boolean;
  /** Fold runs of completed syncs of one org (default true; false writes every sync, as before). */
  foldSyncs?: boolean;
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
      controllers: [HealthController, EvidenceController, JwksController],
      providers: [
        { provide: PROJECTOR_CONFIG, useValue: config },
        ...accessProviders({
          app: 'evidence-projector',
          settings: accessSettingsOf(config, 'PROJECTOR_API_TOKEN', config.AUTH_AUDIENCE),
          auditFile: config.AUDIT_LOG_FILE,
          destination: options.logDestination,
        }),
        // HTTP input: request DTOs checked by class-validator; every error body carries a `code`
        { provide: APP_PIPE, useClass: HttpInputPipe },
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        { provide: CLOCK, useValue: options.clock ?? systemClock },
        { provide: PROJECTED_TOPICS, useValue: options.topics ?? ['identity', 'systemLog'] },
        {
          provide: MEASURE_CHANGES,
          useValue: options.publishChanges ?? config.PUBLISH_CHANGE_EVENTS,
        },
        {
          provide: FOLD_MODE,
          useValue: { fold: options.foldSyncs ?? true, replay: options.replay ?? false },
        },
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
        IntegrationStatusRepository,
        IntegrationStatusWriter,
        StagingRepository,
        IdentitySyncsRepository,
        IdentityFencesRepository,
        IdentityFenceFilter,
        DirectoryStore,
        MaterializerService,
        FoldedRuns,
        DirectoryReader,
        LogEventsRepository,
        LogDaysRepository,
        LogDirtyDaysRepository,
        LogRollupMarksRepository,
        LogDaysWriter,
        LogDaysBackfill,
        LogFactsReader,
        LogPollsRepository,
        LogRereadPublisher,
        EvidenceStore,
        EvidenceService,
        {
          provide: SnapshotSigner,
          useFactory: () => new SnapshotSigner(config.SNAPSHOT_SIGNING_KEYS),
        },
        IdentityProjection,
        SystemLogProjection,
        ChangeEventsService,
        ProjectorProducer,
        ChangeEventsPublisher,
        ProjectionRouter,
        OktaEventsConsumer,
      ],
      exports: [PROJECTOR_DB, KAFKA, TOPIC_NAMES],
    };
  }
}
