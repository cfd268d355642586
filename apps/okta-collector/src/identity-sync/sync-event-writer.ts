import {
  Draft,
  emptyRecordBytes,
  IdentityEvent,
  splitBySize,
  SplitOptions,
  CURRENT_IDENTITY_VERSIONS,
} from '@regentra/contracts';
import { EventPublisher } from '../kafka/event-publisher';
import { LeaseLostError, RunStop, throwIfStopped } from '../sync-runs/run-port';

/** Thrown into a branch whose sibling failed: not a cause, just a stop. */
export class SyncBranchStoppedError extends Error {
  constructor() {
    super('stopped because another part of the sync failed');
  }
}

/** The outcome events still go out after an abort. */
const BRACKET_TYPES = new Set<string>(['IdentitySyncCompleted', 'IdentitySyncFailed']);

type EventOf<T extends IdentityEvent['type']> = Extract<IdentityEvent, { type: T }>;
type DraftOf<T extends IdentityEvent['type']> = Draft<EventOf<T>>;
export type PayloadOf<T extends IdentityEvent['type']> = EventOf<T>['payload'];

/**
 * Publishes the events of one sync in order with a strictly increasing `seq`,
 * checking before every send that this instance still holds the org's lease
 * (fencing), and splitting every list by encoded size under the record cap.
 * Every record carries the lease's `fence` (the `regentra-fence` header), the
 * outcome event too, so consumers can ignore a superseded holder's records.
 */
export class SyncEventWriter {
  private seq = 0;

  constructor(
    private readonly publisher: EventPublisher,
    private readonly orgId: string,
    private readonly syncId: string,
    private readonly fence: number,
    private readonly leaseStillHeld: () => Promise<boolean>,
    /** A run asked to stop publishes nothing but its outcome event. */
    private readonly stop: RunStop,
    private readonly onPublished: (count: number) => void = () => undefined,
  ) {}

  get lastSeq(): number {
    return this.seq - 1;
  }

  /**
   * Sub-resources are read concurrently, but messages leave one at a time, so
   * topic order equals seq order.
   */
  emit<T extends IdentityEvent['type']>(type: T, payload: PayloadOf<T>): Promise<void> {
    const next = this.tail.then(() => this.send(type, payload));
    this.tail = next.catch(() => undefined);
    return next;
  }

  private tail: Promise<void> = Promise.resolve();
  private aborted: { reason: unknown } | null = null;

  /** Stops every later emit of this sync (a sibling branch failed); the first reason wins. */
  abort(reason: unknown): void {
    this.aborted ??= { reason };
  }

  abortReason(): unknown {
    return this.aborted?.reason;
  }

  private async send<T extends IdentityEvent['type']>(
    type: T,
    payload: PayloadOf<T>,
  ): Promise<void> {
    if (!BRACKET_TYPES.has(type)) {
      throwIfStopped(this.stop);
      if (this.aborted) throw new SyncBranchStoppedError();
    }
    if (!(await this.leaseStillHeld())) throw new LeaseLostError(this.orgId);
    const draft = {
      type,
      schemaVersion: CURRENT_IDENTITY_VERSIONS[type],
      orgId: this.orgId,
      syncId: this.syncId,
      seq: this.seq,
      payload,
    } as unknown as DraftOf<T>;
    await this.publisher.publish('identity', [draft as never], { fence: this.fence });
    this.seq += 1;
    this.onPublished(1);
  }

  /**
   * Splits `items` by encoded size into the lists of records of `type`, whose
   * payload `build` makes from a list (measured empty: the envelope of this
   * sync). `oversized` replaces an item too large for any record, or throws.
   */
  split<T extends IdentityEvent['type'], I>(
    type: T,
    items: readonly I[],
    build: (chunk: I[]) => PayloadOf<T>,
    oversized: SplitOptions<I>['oversized'],
  ): I[][] {
    const overheadBytes = emptyRecordBytes({
      type,
      schemaVersion: CURRENT_IDENTITY_VERSIONS[type],
      orgId: this.orgId,
      syncId: this.syncId,
      seq: this.seq,
      payload: build([]),
    });
    return splitBySize(items, { overheadBytes, oversized });
  }

  /**
   * Emits `items` as as few records as fit under MAX_MESSAGE_BYTES (one
   * record with an empty list when there are none). Returns the record count.
   */
  async emitSplit<T extends IdentityEvent['type'], I>(
    type: T,
    items: readonly I[],
    build: (chunk: I[], part: number, lastPart: boolean) => PayloadOf<T>,
    oversized: SplitOptions<I>['oversized'],
  ): Promise<number> {
    const chunks = this.split(type, items, (chunk) => build(chunk, 0, false), oversized);
    if (chunks.length === 0) chunks.push([]);
    for (const [part, chunk] of chunks.entries())
      await this.emit(type, build(chunk, part, part === chunks.length - 1));
    return chunks.length;
  }
}
