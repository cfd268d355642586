import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { MongoClient } from 'mongodb';
import { Registry } from 'prom-client';
import { IntegrationStatusRepository } from '../integration-status/integration-status.repository';
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
    private readonly status: IntegrationStatusRepository,
  ) {}

  @Get('health')
  @ApiOperation({
    summary:
      'Up or down per dependency (MongoDB, Kafka), and whether every org is being projected; open, no error text',
    description:
      '`projection` is always up (restarting would not help and would stop the healthy orgs): `state` is `degraded` while `orgsProjectionFailed` orgs have records dead-lettered after a deterministic write failure (their `integration_status` says `projection_failed`), `unknown` when the database did not answer, else `ok`.',
  })
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
      async () => {
        // Degraded, never down: liveness stays up (docs/http-api.md, /health).
        const projection = this.indicators.check('projection');
        const failed = await this.status.countProjectionFailed().catch(() => null);
        if (failed === null) return projection.up({ state: 'unknown' });
        return projection.up({
          state: failed > 0 ? 'degraded' : 'ok',
          orgsProjectionFailed: failed,
        });
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
