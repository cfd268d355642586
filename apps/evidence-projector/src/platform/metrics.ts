import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');
export const PROJECTOR_METRICS = Symbol('PROJECTOR_METRICS');

/** One registry per app instance, so several can share a test process. */
export function createProjectorMetrics(registry: Registry) {
  collectDefaultMetrics({ register: registry, prefix: 'evidence_projector_' });
  return {
    projected: new Counter({
      name: 'evidence_projector_messages_total',
      help: 'Messages projected, by topic and type',
      labelNames: ['topic', 'type'] as const,
      registers: [registry],
    }),
    deadLettered: new Counter({
      name: 'evidence_projector_dead_lettered_total',
      help: 'Messages sent to the dead-letter topic, by topic',
      labelNames: ['topic'] as const,
      registers: [registry],
    }),
    lag: new Gauge({
      name: 'evidence_projector_consumer_lag',
      help: 'High watermark minus the last processed offset, per topic partition',
      labelNames: ['topic', 'partition'] as const,
      registers: [registry],
    }),
  };
}
export type ProjectorMetrics = ReturnType<typeof createProjectorMetrics>;
