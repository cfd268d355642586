import { accessProviders, accessSettingsOf } from '@regentra/http-auth';
import { DynamicModule, Inject, Module, OnApplicationShutdown, Provider } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { TerminusModule } from '@nestjs/terminus';
import { MongoClient } from 'mongodb';
import type { DestinationStream } from 'pino';
import { Registry } from 'prom-client';
import { ApiExceptionFilter, HttpInputPipe } from '@regentra/http-api';
import { COLLECTOR_CONFIG, CollectorConfig } from './config/collector.config';
import { ConnectionEvents } from './connections/connection-events';
import { ConnectionsController } from './connections/connections.controller';
import { ConnectionsRepository } from './connections/connections.repository';
import { ConnectionsService } from './connections/connections.service';
import { OktaClientFactory } from './connections/okta-client.factory';
import { RateBudgetRepository } from './rate-budget/rate-budget.repository';
import { RateBudgetService } from './rate-budget/rate-budget.service';
import { KeyRotation } from './connections/key-rotation';
import { tokenVaultProvider } from './connections/token-vault';
import { HealthController } from './health/health.controller';
import { IdentitySyncService } from './identity-sync/identity-sync.service';
import { EventPublisher } from './kafka/event-publisher';
import { KAFKA, kafkaProviders, TOPIC_NAMES } from './kafka/kafka.providers';
import {
  LOG_REREAD_HANDLER,
  SYNC_COMMAND_HANDLER,
  SyncCommandsConsumer,
} from './kafka/sync-commands.consumer';
import { CLOCK, Clock, systemClock } from './platform/clock';
import { CommandPartitions } from './platform/command-partitions';
import { FleetStatusController, FleetStatusService } from './status/fleet-status.controller';
import { loggingModule } from './platform/logging';
import { COLLECTOR_METRICS, createCollectorMetrics, METRICS_REGISTRY } from './platform/metrics';
import { COLLECTOR_DB, connectMongo, MONGO_CLIENT } from './platform/mongo.providers';
import { ScheduleService } from './schedules/schedule.service';
import { StatusController } from './status/status.controller';
import { StatusService } from './status/status.service';
import { SyncRequestHandler } from './sync-requests/sync-request.handler';
import { SYNC_REQUEST_LISTENER } from './sync-requests/sync-request.listener';
import { SyncRequestsRepository } from './sync-requests/sync-requests.repository';
import { SyncRequestsService } from './sync-requests/sync-requests.service';
import { SyncsController } from './sync-requests/syncs.controller';
import { AbandonedRunPublisher } from './sync-runs/abandoned-run.publisher';
import { OrgLeaseRepository } from './sync-runs/org-lease.repository';
import { IDENTITY_SYNC_RUNNER, SYSTEM_LOG_RUNNER } from './sync-runs/run-port';
import { SyncCoordinator } from './sync-runs/sync-coordinator.service';
import { SyncRunsRepository } from './sync-runs/sync-runs.repository';
import { SyncRunsService } from './sync-runs/sync-runs.service';
import { LogCursorRepository } from './system-log/log-cursor.repository';
import { LogRereadHandler } from './system-log/log-reread.handler';
import { LogCursorReset } from './system-log/log-cursor.reset';
import { SystemLogPollerService } from './system-log/system-log-poller.service';

export interface CollectorModuleOptions {
  config: CollectorConfig;
  clock?: Clock;
  /** Tests capture log lines here (to assert no secret leaks). */
  logDestination?: DestinationStream;
}

/**
 * Closes the database last: Nest runs every beforeApplicationShutdown hook
 * (the coordinator stopping its runs, the command consumer, the key sweep)
 * before any onApplicationShutdown hook.
 */
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
      ...accessProviders({
        app: 'okta-collector',
        settings: accessSettingsOf(config, 'COLLECTOR_API_TOKEN', config.AUTH_AUDIENCE),
        auditFile: config.AUDIT_LOG_FILE,
        destination: options.logDestination,
      }),
      // HTTP input: request DTOs checked by class-validator; every error body carries a `code`
      { provide: APP_PIPE, useClass: HttpInputPipe },
      { provide: APP_FILTER, useClass: ApiExceptionFilter },
    ];
    return {
      module: CollectorModule,
      imports: [
        TerminusModule,
        loggingModule(config.LOG_LEVEL, options.logDestination),
        ...(config.SCHEDULER_ENABLED ? [ScheduleModule.forRoot()] : []),
      ],
      controllers: [
        HealthController,
        ConnectionsController,
        SyncsController,
        StatusController,
        FleetStatusController,
      ],
      providers: [
        ...infrastructure,
        // sync-requests: the inbox and the command handler the Kafka consumer delegates to
        SyncRequestsRepository,
        SyncRequestsService,
        SyncRequestHandler,
        SyncCommandsConsumer,
        CommandPartitions,
        { provide: SYNC_COMMAND_HANDLER, useExisting: SyncRequestHandler },
        LogRereadHandler,
        { provide: LOG_REREAD_HANDLER, useExisting: LogRereadHandler },
        // connections
        tokenVaultProvider,
        KeyRotation,
        ConnectionsRepository,
        ConnectionsService,
        OktaClientFactory,
        RateBudgetRepository,
        RateBudgetService,
        ConnectionEvents,
        // sync-runs and the runners it drives
        OrgLeaseRepository,
        SyncRunsRepository,
        SyncRunsService,
        AbandonedRunPublisher,
        IdentitySyncService,
        { provide: IDENTITY_SYNC_RUNNER, useExisting: IdentitySyncService },
        LogCursorRepository,
        LogCursorReset,
        SystemLogPollerService,
        { provide: SYSTEM_LOG_RUNNER, useExisting: SystemLogPollerService },
        SyncCoordinator,
        { provide: SYNC_REQUEST_LISTENER, useExisting: SyncCoordinator },
        // schedules and status
        ScheduleService,
        StatusService,
        FleetStatusService,
      ],
      exports: [EventPublisher, KAFKA, TOPIC_NAMES, COLLECTOR_DB],
    };
  }
}
