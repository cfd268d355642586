import type { RunPart } from '@regentra/contracts';

export type RunState = 'running' | 'completed' | 'failed' | 'abandoned';

/** One document per sync (identity) or poll (system log): the run history and progress. */
export interface SyncRunDoc {
  _id: string; // syncId
  orgId: string;
  kind: RunPart;
  requestIds: string[];
  trigger: 'schedule' | 'manual';
  holder: string;
  fence: number;
  /** The connection generation the run used (changes when the domain or token is saved again). */
  connectionGeneration?: number;
  state: RunState;
  /** Identity syncs: `full` or `incremental`, set once decided (absent on older runs: full). */
  mode?: 'full' | 'incremental';
  /** Why a full identity sync is full (null when incremental). */
  fullReason?: string | null;
  /** The sync an incremental one builds on (null when full). */
  baseSyncId?: string | null;
  startedAt: Date;
  finishedAt: Date | null;
  phase: string;
  progress: Record<string, number>;
  outcome: Record<string, unknown> | null;
}
