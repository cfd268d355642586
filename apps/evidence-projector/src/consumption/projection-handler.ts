import { IdentityEvent, SystemLogEvent } from '@regentra/contracts';

/** A decoded message with the Kafka position it came from. */
export interface Positioned<M> {
  message: M;
  partition: number;
  offset: string;
}

export type ProjectedTopic = 'identity' | 'systemLog';

/**
 * Applies decoded messages to the read models. Must be idempotent (a message
 * may be delivered again after a crash) and must resolve only after every
 * write was acknowledged: the consumer commits offsets right after it.
 */
export interface ProjectionHandler {
  applyIdentity(
    batch: Array<Positioned<IdentityEvent>>,
    heartbeat: () => Promise<void>,
  ): Promise<void>;
  applySystemLog(
    batch: Array<Positioned<SystemLogEvent>>,
    heartbeat: () => Promise<void>,
  ): Promise<void>;
  /** The consumer (re)joined its group: partitions may have moved to or from this instance. */
  onAssignmentChanged(): void;
}

export const PROJECTION_HANDLER = Symbol('PROJECTION_HANDLER');

/** Which topics this instance consumes (`identity`, `systemLog`). */
export const PROJECTED_TOPICS = Symbol('PROJECTED_TOPICS');
