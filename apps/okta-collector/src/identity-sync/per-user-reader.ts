import { oversizedReason, OversizedItem, type PerUserBatchType } from '@regentra/contracts';
import { mapLimited } from './concurrency';
import type { DatasetTally } from './dataset-tally';
import { IDENTITY_DATASETS, PER_USER_KEYS, type PerUserKey, type SyncCounts } from './datasets';
import type { OktaDirectory } from './okta-directory';
import type { PayloadOf, SyncEventWriter } from './sync-event-writer';

/** One user's entry of a per-user batch, its items as the row's call returned them. */
type UserEntry =
  | { userId: string; status: 'read'; items: unknown[] }
  | { userId: string; status: 'unknown'; reason: string };

/** The per-user datasets read for the users the users listing returns (factors…). */
export const OF_LISTED_USERS = PER_USER_KEYS.filter(
  (key) => IDENTITY_DATASETS[key].perUser.of === 'listed users',
);

/**
 * Reads the per-user datasets (`perUser` of their `IDENTITY_DATASETS` row),
 * one routine for all: a `listById` call per user, the users' lists
 * published as the dataset's batch. A list that cannot be read, or is too
 * large for any record, is published as unknown, never as empty.
 */
export class PerUserReader {
  constructor(
    private readonly okta: OktaDirectory,
    private readonly writer: SyncEventWriter,
    private readonly tally: DatasetTally,
    private readonly counts: SyncCounts,
    private readonly concurrency: number,
  ) {}

  /**
   * Reads `key` for these users and publishes them as its batch, in one
   * record at least. Returns how many users.
   */
  async read(key: PerUserKey, userIds: readonly string[]): Promise<number> {
    const { call, publishes, perUser } = IDENTITY_DATASETS[key];
    const count = (items: readonly unknown[], sign: 1 | -1) => {
      if (perUser.counts) this.counts[perUser.counts] += sign * items.length;
    };
    const results = await mapLimited(userIds, this.concurrency, async (userId) => {
      const result = await this.tally.subResource<unknown[]>(key, userId, () =>
        this.okta.listById<unknown>(call, userId, perUser.item),
      );
      if (!result.ok) return { userId, status: 'unknown', reason: result.reason } as const;
      count(result.value, 1);
      return { userId, status: 'read', items: result.value } as const;
    });
    await this.writer.emitSplit<PerUserBatchType, UserEntry>(
      publishes,
      results,
      // every per-user batch's payload is `{ users }` (`perUserBatchOf`); the row pairs batch and items
      (chunk) => ({ users: chunk }) as PayloadOf<PerUserBatchType>,
      (found) => {
        if (found.item.status === 'read') count(found.item.items, -1);
        return this.unknown(key, found);
      },
    );
    return results.length;
  }

  /**
   * A user's list too large for any record: that user's list is unknown
   * (never empty), and the dataset counts it as failed, not read.
   */
  private unknown(
    key: PerUserKey,
    found: OversizedItem<{ userId: string }>,
  ): { userId: string; status: 'unknown'; reason: string } {
    this.tally.readThenFailed(key, found.item.userId);
    return {
      userId: found.item.userId,
      status: 'unknown',
      reason: oversizedReason(found.bytes, found.maxBytes),
    };
  }
}
