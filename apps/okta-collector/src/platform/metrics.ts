import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');
export const COLLECTOR_METRICS = Symbol('COLLECTOR_METRICS');

/**
 * One registry per app instance (not prom-client's global one), so several
 * instances can live in one test process. Labels never carry tokens.
 */
export function createCollectorMetrics(registry: Registry) {
  collectDefaultMetrics({ register: registry, prefix: 'okta_collector_' });
  return {
    oktaRequests: new Counter({
      name: 'okta_collector_okta_requests_total',
      help: 'Okta API responses by rate-limit bucket and status',
      labelNames: ['bucket', 'status'] as const,
      registers: [registry],
    }),
    oktaLatency: new Histogram({
      name: 'okta_collector_okta_request_seconds',
      help: 'Okta API request duration',
      labelNames: ['bucket'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers: [registry],
    }),
    syncs: new Counter({
      name: 'okta_collector_syncs_total',
      help: 'Finished syncs by scope and outcome',
      labelNames: ['scope', 'outcome'] as const,
      registers: [registry],
    }),
    runningSyncs: new Gauge({
      name: 'okta_collector_running_syncs',
      help: 'Syncs running in this instance',
      registers: [registry],
    }),
    published: new Counter({
      name: 'okta_collector_published_messages_total',
      help: 'Messages acknowledged by Kafka, by topic',
      labelNames: ['topic'] as const,
      registers: [registry],
    }),
  };
}
export type CollectorMetrics = ReturnType<typeof createCollectorMetrics>;
