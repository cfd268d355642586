import { DynamicModule, Inject, Module, OnApplicationShutdown, Provider } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { Kafka } from 'kafkajs';
import { MongoClient } from 'mongodb';
import type { DestinationStream } from 'pino';
import { Registry } from 'prom-client';
import { SYNC_REQUEST_LISTENER, SyncRequestsConsumer } from './commands/sync-requests.consumer';
import { SyncRequestsRepository } from './commands/sync-requests.repository';
import { COLLECTOR_CONFIG, CollectorConfig } from './config/collector.config';
import { HealthController } from './health/health.controller';
import { ApiTokenGuard } from './platform/api-token.guard';
import { CLOCK, Clock, systemClock } from './platform/clock';
import { EventPublisher } from './platform/event-publisher';
import { topicNames } from '@regentra/contracts';
import { createKafka, ensureTopics, KAFKA, TOPIC_NAMES } from './platform/kafka.providers';
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
      { provide: TOPIC_NAMES, useValue: topicNames(config.KAFKA_TOPIC_PREFIX) },
      {
        provide: KAFKA,
        useFactory: async () => {
          const kafka = createKafka(config.KAFKA_CLIENT_ID, config.KAFKA_BROKERS);
          const admin = kafka.admin();
          await admin.connect();
          try {
            await ensureTopics(admin, topicNames(config.KAFKA_TOPIC_PREFIX));
          } finally {
            await admin.disconnect();
          }
          return kafka;
        },
      },
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
      imports: [TerminusModule, loggingModule(config.LOG_LEVEL, options.logDestination)],
      controllers: [HealthController],
      providers: [
        ...infrastructure,
        SyncRequestsRepository,
        SyncRequestsConsumer,
        { provide: SYNC_REQUEST_LISTENER, useValue: { requestQueued: () => undefined } },
      ],
      exports: [EventPublisher, KAFKA, TOPIC_NAMES, COLLECTOR_DB],
    };
  }
}

export type { Kafka };
