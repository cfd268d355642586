import { DynamicModule, Inject, Module, OnApplicationShutdown, Provider } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { TerminusModule } from '@nestjs/terminus';
import { Kafka } from 'kafkajs';
import { MongoClient } from 'mongodb';
import type { DestinationStream } from 'pino';
import { Registry } from 'prom-client';
import { SYNC_REQUEST_LISTENER, SyncRequestsConsumer } from './commands/sync-requests.consumer';
import { SyncRequestsRepository } from './commands/sync-requests.repository';
import { COLLECTOR_CONFIG, CollectorConfig } from './config/collector.config';
import { HealthController } from './health/health.controller';
import { SyncsController } from './commands/syncs.controller';
import { ConnectionsController } from './connections/connections.controller';
import { ConnectionsRepository } from './connections/connections.repository';
import { ConnectionsService } from './connections/connections.service';
import { OktaClientFactory } from './connections/okta-client.factory';
import { IdentitySyncService } from './identity-sync/identity-sync.service';
import { OrgLeaseRepository } from './scheduling/org-lease.repository';
import { ScheduleService } from './scheduling/schedule.service';
import { StatusController } from './scheduling/status.controller';
import { StatusService } from './scheduling/status.service';
import { SyncCoordinator } from './scheduling/sync-coordinator.service';
import { SyncRunsRepository } from './scheduling/sync-runs.repository';
import { SYSTEM_LOG_RUNNER } from './scheduling/system-log-runner';
import { LogCursorRepository } from './system-log/log-cursor.repository';
import { SystemLogPollerService } from './system-log/system-log-poller.service';
import { ApiTokenGuard } from './platform/api-token.guard';
import { CLOCK, Clock, systemClock } from './platform/clock';
import { EventPublisher } from './platform/event-publisher';
import { KAFKA, kafkaProviders, TOPIC_NAMES } from './kafka/kafka.providers';
import { loggingModule } from './platform/logging';
import { COLLECTOR_METRICS, createCollectorMetrics, METRICS_REGISTRY } from './platform/metrics';
import { COLLECTOR_DB, connectMongo, MONGO_CLIENT } from './platform/mongo.providers';

export interface CollectorModuleOptions {
  config: CollectorConfig;
  clock?: Clock;
  /** Tests capture log lines here (to assert no secret leaks). */
  logDestination?: DestinationStream;
}

class MongoLifecycle implements OnApplicationShutdown {
  constructor(@Inject(MONGO_CLIENT) private readonly client: MongoClient) {}
  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}

@Module({})
export class CollectorModule {
  static register(options: CollectorModuleOptions): DynamicModule {
    const { config } = options;
    const infrastructure: Provider[] = [
      { provide: COLLECTOR_CONFIG, useValue: config },
      { provide: CLOCK, useValue: options.clock ?? systemClock },
      ...kafkaProviders(config),
      { provide: MONGO_CLIENT, useFactory: () => connectMongo(config.MONGODB_URI) },
      {
        provide: COLLECTOR_DB,
        useFactory: (client: MongoClient) => client.db(config.COLLECTOR_DB),
        inject: [MONGO_CLIENT],
      },
      { provide: METRICS_REGISTRY, useFactory: () => new Registry() },
      {
        provide: COLLECTOR_METRICS,
        useFactory: createCollectorMetrics,
        inject: [METRICS_REGISTRY],
      },
      MongoLifecycle,
      EventPublisher,
      ApiTokenGuard,
    ];
    return {
      module: CollectorModule,
      imports: [
        TerminusModule,
        loggingModule(config.LOG_LEVEL, options.logDestination),
        ...(config.SCHEDULER_ENABLED ? [ScheduleModule.forRoot()] : []),
      ],
      controllers: [HealthController, ConnectionsController, SyncsController, StatusController],
      providers: [
        ...infrastructure,
        SyncRequestsRepository,
        SyncRequestsConsumer,
        ConnectionsRepository,
        ConnectionsService,
        OktaClientFactory,
        OrgLeaseRepository,
        SyncRunsRepository,
        IdentitySyncService,
        LogCursorRepository,
        SystemLogPollerService,
        { provide: SYSTEM_LOG_RUNNER, useExisting: SystemLogPollerService },
        SyncCoordinator,
        { provide: SYNC_REQUEST_LISTENER, useExisting: SyncCoordinator },
        ScheduleService,
        StatusService,
      ],
      exports: [EventPublisher, KAFKA, TOPIC_NAMES, COLLECTOR_DB],
    };
  }
}

export type { Kafka };
