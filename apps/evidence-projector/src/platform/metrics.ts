import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');
export const PROJECTOR_METRICS = Symbol('PROJECTOR_METRICS');
export const PHASE_METRIC = 'evidence_projector_phase_seconds_total';

/** Where gauges read at scrape time get their figure (set by the slice that owns it). */
export interface GaugeSources {
  /** integration_status: orgs with a topic in `projection_failed`. */
  orgsProjectionFailed?: () => Promise<number>;
}

/** One registry per app instance, so several can share a test process. */
export function createProjectorMetrics(registry: Registry) {
  collectDefaultMetrics({ register: registry, prefix: 'evidence_projector_' });
  const sources: GaugeSources = {};
  return {
    sources,
    orgsProjectionFailed: new Gauge({
      name: 'evidence_projector_orgs_projection_failed',
      help: 'Orgs whose records were dead-lettered because a write of them failed deterministically (integration_status projection_failed), counted in the database at scrape time',
      registers: [registry],
      async collect() {
        // The database down: the last figure stays (the mongodb health check says why).
        const count = await sources.orgsProjectionFailed?.().catch(() => null);
        if (typeof count === 'number') this.set(count);
      },
    }),
    projectionFailures: new Counter({
      name: 'evidence_projector_projection_failures_total',
      help: "Times an org's records of a batch were dead-lettered after a deterministic write failure, by topic",
      labelNames: ['topic'] as const,
      registers: [registry],
    }),
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
    supersededFence: new Counter({
      name: 'evidence_projector_superseded_fence_total',
      help: 'Identity records ignored because their regentra-fence was lower than one already seen for their org (a superseded lease holder), by type',
      labelNames: ['type'] as const,
      registers: [registry],
    }),
    changesPublished: new Counter({
      name: 'evidence_projector_change_events_total',
      help: 'Change events published to okta.changes.v1 (a republished change counts again), by type',
      labelNames: ['type'] as const,
      registers: [registry],
    }),
    phaseSeconds: new Counter({
      name: PHASE_METRIC,
      help: 'Time spent projecting identity syncs, by phase (a breakdown for profiling)',
      labelNames: ['phase'] as const,
      registers: [registry],
    }),
    lag: new Gauge({
      name: 'evidence_projector_consumer_lag',
      help: 'High watermark minus the committed (or last processed) offset, per topic partition of this instance; refreshed while a batch is retried too',
      labelNames: ['topic', 'partition'] as const,
      registers: [registry],
    }),
  };
}
export type ProjectorMetrics = ReturnType<typeof createProjectorMetrics>;

export type ProjectionPhase =
  | 'stage'
  | 'assemble'
  | 'stage_base'
  | 'write_users'
  | 'write_groups_apps'
  | 'evidence'
  /** Measuring a sync's changes: reading the state before it (full syncs), the diff, staging them. */
  | 'changes'
  /** Explaining the changes from the log facts and publishing them to okta.changes.v1. */
  | 'publish_changes'
  | 'drop_staging';

/** Runs `work` and adds its wall time to the phase's counter. */
export async function timePhase<T>(
  metrics: ProjectorMetrics,
  phase: ProjectionPhase,
  work: () => Promise<T>,
): Promise<T> {
  const started = process.hrtime.bigint();
  try {
    return await work();
  } finally {
    metrics.phaseSeconds.inc({ phase }, Number(process.hrtime.bigint() - started) / 1e9);
  }
}
