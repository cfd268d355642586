import { Draft, IdentityEvent, MessageTooLargeError } from '@regentra/contracts';
import { EventPublisher } from '../kafka/event-publisher';
import { LeaseLostError } from '../sync-runs/run-port';

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
type PayloadOf<T extends IdentityEvent['type']> = EventOf<T>['payload'];

/**
 * Publishes the events of one sync in order with a strictly increasing `seq`,
 * checking before every send that this instance still holds the org's lease
 * (fencing), and splitting any page that would exceed the message size cap.
 */
export class SyncEventWriter {
  private seq = 0;

  constructor(
    private readonly publisher: EventPublisher,
    private readonly orgId: string,
    private readonly syncId: string,
    private readonly leaseStillHeld: () => Promise<boolean>,
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
    if (this.aborted && !BRACKET_TYPES.has(type)) throw new SyncBranchStoppedError();
    if (!(await this.leaseStillHeld())) throw new LeaseLostError(this.orgId);
    const draft = {
      type,
      schemaVersion: 1,
      orgId: this.orgId,
      syncId: this.syncId,
      seq: this.seq,
      payload,
    } as unknown as DraftOf<T>;
    await this.publisher.publish('identity', [draft as never]);
    this.seq += 1;
    this.onPublished(1);
  }

  /**
   * Emits `items` as one or more messages built by `build`, halving the chunk
   * whenever a message would be too large (raw Okta objects vary in size).
   */
  async emitChunked<T extends IdentityEvent['type'], I>(
    type: T,
    items: readonly I[],
    build: (chunk: I[], part: number, lastPart: boolean) => PayloadOf<T>,
    maxPerMessage = 200,
  ): Promise<number> {
    let part = 0;
    let offset = 0;
    let size = Math.max(1, maxPerMessage);
    if (items.length === 0) {
      await this.emit(type, build([], 0, true));
      return 1;
    }
    while (offset < items.length) {
      const chunk = items.slice(offset, offset + size);
      const last = offset + chunk.length >= items.length;
      try {
        await this.emit(type, build(chunk, part, last));
      } catch (error) {
        if (error instanceof MessageTooLargeError && chunk.length > 1) {
          size = Math.max(1, Math.floor(chunk.length / 2));
          continue;
        }
        throw error;
      }
      offset += chunk.length;
      part += 1;
    }
    return part;
  }
}
