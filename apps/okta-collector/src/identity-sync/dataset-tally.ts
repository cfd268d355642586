import {
  DatasetCounts,
  DatasetKey,
  emptyCoverage,
  perDataset,
  UNREAD_REREAD_MAX,
  UnreadIds,
  zeroPerDataset,
} from './datasets';
import { isSubResourceFailure, OversizedItemError, reasonOf } from './read-failures';

/** A sub-resource's read: its value, or why it is unknown. */
export type SubResourceRead<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * What one sync read and could not read, per dataset (`IDENTITY_DATASETS`):
 * its coverage, the ids it could not read (the next incremental re-reads
 * them, docs/schedules-and-ordering.md) and how many of the base sync's
 * unread objects it read again.
 */
export class DatasetTally {
  /**
   * `users`, `groups`, `apps`: objects published whole (`read`) or as a
   * trimmed copy because they exceed the record limit (`failed`).
   */
  readonly coverage = emptyCoverage();
  /** What this sync could not read, by id (the next incremental re-reads it). */
  private readonly unread = perDataset(() => new Set<string>());
  /** What the base sync could not read (empty for a full sync). */
  readonly baseUnread: Record<DatasetKey, ReadonlySet<string>>;
  readonly rereadUnread = zeroPerDataset();

  constructor(baseUnread: UnreadIds | undefined) {
    this.baseUnread = perDataset((key) => new Set(baseUnread?.[key] ?? []));
  }

  /** One object of `key` not read (`id`: null for a whole list): counted, and recorded for the next sync. */
  failed(key: DatasetKey, id: string | null): void {
    this.coverage[key].failed += 1;
    if (id !== null && this.unread[key].size < UNREAD_REREAD_MAX) this.unread[key].add(id);
  }

  /** An object counted read turned out unreadable (too large for any record). */
  readThenFailed(key: DatasetKey, id: string): void {
    this.coverage[key].read -= 1;
    this.failed(key, id);
  }

  /** A 401 on any call ends the sync; anything else is the sub-resource's own failure. */
  async subResource<T>(
    key: DatasetKey,
    parentId: string,
    read: () => Promise<T>,
  ): Promise<SubResourceRead<T>> {
    if (this.baseUnread[key].has(parentId)) this.rereadUnread[key] += 1;
    try {
      const value = await read();
      this.coverage[key].read += 1;
      return { ok: true, value };
    } catch (error) {
      // Only Okta's answers (and an object no record can hold) make a
      // sub-resource unknown; a 401, a publish failure or a lost lease end the
      // whole sync.
      if (error instanceof OversizedItemError) {
        this.failed(key, parentId);
        return { ok: false, reason: error.message };
      }
      if (!isSubResourceFailure(error)) throw error;
      this.failed(key, parentId);
      return { ok: false, reason: reasonOf(error) };
    }
  }

  /** The unread ids, each list sorted, and the re-read counts (copies). */
  outcome(): { unread: UnreadIds; rereadUnread: DatasetCounts } {
    return {
      unread: perDataset((key) => [...this.unread[key]].sort()),
      rereadUnread: { ...this.rereadUnread },
    };
  }
}
