import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { MongoClient } from 'mongodb';
import { Registry } from 'prom-client';
import { OktaEventsConsumer } from '../kafka/okta-events.consumer';
import { METRICS_REGISTRY } from '../platform/metrics';
import { MONGO_CLIENT } from '../platform/mongo.providers';
import { Public } from '@regentra/http-auth';

@ApiTags('operations')
@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(MONGO_CLIENT) private readonly mongo: MongoClient,
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
    private readonly consumer: OktaEventsConsumer,
  ) {}

  @Get('health')
  @ApiOperation({ summary: 'Up or down per dependency (MongoDB, Kafka); open, no error text' })
  @HealthCheck()
  check() {
    return this.health.check([
      async () => {
        const mongo = this.indicators.check('mongodb');
        try {
          await this.mongo.db('admin').command({ ping: 1 });
          return mongo.up();
        } catch {
          // up or down only: a driver error names hosts and ports, and /health is open
          return mongo.down();
        }
      },
      () => {
        const kafka = this.indicators.check('kafka');
        return this.consumer.isRunning() ? kafka.up() : kafka.down();
      },
    ]);
  }

  @Get('metrics')
  @ApiOperation({ summary: 'Prometheus metrics; open, no customer data' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ content: { 'text/plain': { schema: { type: 'string' } } } })
  @Header('Content-Type', 'text/plain; version=0.0.4')
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
