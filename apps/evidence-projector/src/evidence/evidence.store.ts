import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Collection, Db, MongoServerError } from 'mongodb';
import { insertIgnoringDuplicates, PROJECTOR_DB } from '../platform/mongo.providers';
import type {
  ControlEvidenceDocument,
  EvidenceItemPageDocument,
  EvidenceSnapshotDocument,
} from './control-evidence.document';
import { ItemPagesRef, pagesCovering, splitIntoPages } from './item-pages';
import type { ControlId } from './rules/controls.registry';

export const CONTROL_EVIDENCE = 'control_evidence';
export const EVIDENCE_SNAPSHOTS = 'evidence_snapshots';
/**
 * Every item page: of the snapshots (scope = syncId; never updated or
 * deleted) and of the current evidence (scope `current`, the generation in
 * each document; a displaced generation is one deleteMany by org, control,
 * scope and generation, on its index).
 */
export const EVIDENCE_ITEMS = 'evidence_items';
/**
 * Legacy: one collection per generation of one control's current evidence.
 * That paid on FerretDB's SQLite backend, where a delete scanned every org's
 * pages (~1 s per deleted page in a 30 MiB collection), but meant 4,000
 * collections at 1,000 orgs, where MongoDB wants few collections (each is a
 * file with its indexes). Still read, and dropped when displaced.
 */
export const CURRENT_ITEMS_PREFIX = 'evidence_items_current_';
/** Per org, the completion time of the newest System Log poll (the current evidence's asOf). */
export const LOG_POLL_MARKS = 'log_poll_marks';
/** The `evidence_items` scope of the current evidence (a snapshot's scope is its syncId). */
export const CURRENT_SCOPE = 'current';

/**
 * Pages of ≤ 256 KiB each: one insert command stays ≤ ~16 MiB (FerretDB and
 * MongoDB take 48 MB). FerretDB pays a transaction per command: measured on
 * a replay of 20 syncs of 10,000 users, 8 pages per command spent 62 s in
 * inserts where bulk-writing the same documents 500 at a time took 27 s.
 */
const PAGES_PER_INSERT = 64;
/** Pages read per find: a request for limit ≤ 1000 touches ≤ 2 pages per list. */
const PAGES_PER_READ = 8;

interface LogPollMark {
  _id: string; // orgId
  lastPollCompletedAt: string;
}

/** Where one generation of a control's item pages lives. */
export type ItemsLocation = { orgId: string; control: ControlId; scope: string; ref: ItemPagesRef };

/** A stored item page is missing or does not fit its index: the evidence cannot be served. */
export class ItemPageError extends Error {
  override readonly name = 'ItemPageError';
}

const pageId = (at: Omit<ItemsLocation, 'ref'>, generation: string, list: string, page: number) =>
  `${at.orgId}|${at.control}|${at.scope}|${generation}|${list}|${page}`;

function snapshotPageIdsOf(at: ItemsLocation): string[] {
  return Object.entries(at.ref.lists).flatMap(([list, index]) =>
    index.pageStarts.map((_, n) => pageId(at, at.ref.generation, list, n)),
  );
}

/** Cuts every list into pages: the index a document names and the page documents. */
function pagesOf(
  at: Omit<ItemsLocation, 'ref'>,
  generation: string,
  items: Record<string, unknown[]>,
): { ref: ItemPagesRef; docs: EvidenceItemPageDocument[] } {
  const ref: ItemPagesRef = { generation, lists: {} };
  const docs: EvidenceItemPageDocument[] = [];
  for (const [list, listItems] of Object.entries(items)) {
    const pages = splitIntoPages(listItems);
    ref.lists[list] = { total: listItems.length, pageStarts: pages.map((p) => p.start) };
    pages.forEach((p, n) =>
      docs.push({
        _id: pageId(at, generation, list, n),
        ...at,
        generation,
        list,
        page: n,
        start: p.start,
        items: p.items,
      }),
    );
  }
  return { ref, docs };
}

/** Each list's pages' items, in page order. */
function itemsByPage(docs: readonly EvidenceItemPageDocument[]): Record<string, unknown[][]> {
  const out: Record<string, unknown[][]> = {};
  for (const doc of docs) (out[doc.list] ??= [])[doc.page] = doc.items;
  return out;
}

/**
 * What seals a snapshot before it is inserted: given its pages and the
 * newest chained snapshot of its (org, control), its link, manifest and
 * signature (EvidenceService builds them, snapshot-manifest.ts).
 */
export type SnapshotSeal = (input: {
  ref: ItemPagesRef;
  pages: Record<string, unknown[][]>;
  previous: { position: number; hash: string } | null;
}) => Promise<Required<Pick<EvidenceSnapshotDocument, 'chain' | 'manifest' | 'signature'>>>;

/**
 * `control_evidence`, `evidence_snapshots`, `evidence_items` and
 * `log_poll_marks`: the evidence slice's own collections.
 *
 * Writes never update an item page. A write inserts the pages of a new
 * generation (named by the evidence's hash, so a redelivered write inserts
 * the same ids and duplicates mean "already written"), then points the
 * per-control document at it with one replaceOne (or, for an immutable
 * snapshot, one insertOne), then deletes the displaced generation's pages by
 * exact id. A crash before the switch leaves the old document and its pages
 * whole (the new pages are not yet named by anything); a crash after it
 * leaves the new ones whole. Readers follow the document, so they never mix
 * generations. The cost of a crash is unreferenced pages, never a wrong answer.
 */
@Injectable()
export class EvidenceStore implements OnModuleInit {
  private readonly current: Collection<ControlEvidenceDocument>;
  private readonly snapshots: Collection<EvidenceSnapshotDocument>;
  private readonly items: Collection<EvidenceItemPageDocument>;
  private readonly pollMarks: Collection<LogPollMark>;

  constructor(@Inject(PROJECTOR_DB) private readonly db: Db) {
    this.current = db.collection<ControlEvidenceDocument>(CONTROL_EVIDENCE);
    this.snapshots = db.collection<EvidenceSnapshotDocument>(EVIDENCE_SNAPSHOTS);
    this.items = db.collection<EvidenceItemPageDocument>(EVIDENCE_ITEMS);
    this.pollMarks = db.collection<LogPollMark>(LOG_POLL_MARKS);
  }

  async onModuleInit(): Promise<void> {
    await this.current.createIndex({ orgId: 1, control: 1 });
    await this.snapshots.createIndex({ orgId: 1, control: 1, asOf: -1 });
    await this.snapshots.createIndex({ orgId: 1, control: 1, 'chain.position': 1 });
    await this.items.createIndex({ orgId: 1, control: 1, scope: 1, generation: 1 });
  }

  /** The current evidence of one control, or null before the org's first completed sync. */
  currentOf(orgId: string, control: ControlId): Promise<ControlEvidenceDocument | null> {
    return this.current.findOne({ _id: `${orgId}|${control}` });
  }

  /**
   * Writes the current evidence of one control: its item pages under
   * `generation`, then the document naming them (the API reads it meanwhile),
   * then deletes the pages of the generation it displaced.
   */
  async writeCurrent(
    doc: Omit<ControlEvidenceDocument, '_id' | 'itemPages' | 'items'>,
    items: Record<string, unknown[]>,
    generation: string,
  ): Promise<void> {
    const at = { orgId: doc.orgId, control: doc.control, scope: CURRENT_SCOPE };
    const ref: ItemPagesRef = {
      ...(await this.insertPages(this.items, at, generation, items)),
      store: 'shared',
    };
    const _id = `${doc.orgId}|${doc.control}`;
    // One writer per org at a time (its Kafka partition's owner), so read-then-replace is safe.
    const before = await this.current.findOne({ _id }, { projection: { itemPages: 1 } });
    await this.current.replaceOne({ _id }, { ...doc, itemPages: ref }, { upsert: true });
    const displaced = before?.itemPages;
    if (!displaced) return;
    if (displaced.store !== 'shared') await this.dropCurrentItems(displaced.generation);
    else if (displaced.generation !== generation)
      await this.items.deleteMany({ ...at, generation: displaced.generation });
  }

  /**
   * Immutable, and chained: a snapshot whose `_id` exists is never changed
   * (a redelivered completion writes nothing). Otherwise its pages are cut,
   * `seal` is given them and the newest chained snapshot of the (org,
   * control), and answers the link, manifest and signature; then pages
   * first (scope = syncId), then the document. One writer per org (its
   * partition's owner, docs/design.md) keeps the chain linear. If another
   * write won the insert meanwhile, its pages are dropped again and the
   * first stays.
   */
  async writeSnapshot(
    doc: Omit<EvidenceSnapshotDocument, 'itemPages' | 'chain' | 'manifest' | 'signature'>,
    items: Record<string, unknown[]>,
    generation: string,
    seal: SnapshotSeal,
  ): Promise<void> {
    if (await this.snapshots.findOne({ _id: doc._id }, { projection: { _id: 1 } })) return;
    const at = { orgId: doc.orgId, control: doc.control, scope: doc.syncId };
    const { ref, docs } = pagesOf(at, generation, items);
    const previous = await this.lastChainedOf(doc.orgId, doc.control);
    const sealed = await seal({ ref, pages: itemsByPage(docs), previous });
    await insertIgnoringDuplicates(this.items, docs, PAGES_PER_INSERT);
    try {
      await this.snapshots.insertOne({ ...doc, itemPages: ref, ...sealed });
    } catch (error) {
      if (!(error instanceof MongoServerError && error.code === 11000)) throw error;
      const kept = await this.snapshots.findOne({ _id: doc._id });
      if (kept?.itemPages?.generation !== generation)
        await this.items.deleteMany({ _id: { $in: snapshotPageIdsOf({ ...at, ref }) } });
    }
  }

  /** The newest chained snapshot of an (org, control): what the next one links to. */
  private async lastChainedOf(
    orgId: string,
    control: ControlId,
  ): Promise<{ position: number; hash: string } | null> {
    const [last] = await this.snapshots
      .find({ orgId, control, 'chain.position': { $exists: true } })
      .sort({ 'chain.position': -1 })
      .limit(1)
      .project<Pick<EvidenceSnapshotDocument, 'chain' | 'hash'>>({ chain: 1, hash: 1 })
      .toArray();
    return last?.chain ? { position: last.chain.position, hash: last.hash } : null;
  }

  /**
   * The signed manifests of the chain before `snapshot` (stored order: by
   * `chain.position`), oldest first: what an export carries so the chain
   * verifies offline.
   */
  async chainBefore(
    snapshot: EvidenceSnapshotDocument,
  ): Promise<Array<Pick<EvidenceSnapshotDocument, 'syncId' | 'manifest' | 'signature'>>> {
    const position = snapshot.chain?.position;
    if (position === undefined) return [];
    return this.snapshots
      .find({
        orgId: snapshot.orgId,
        control: snapshot.control,
        'chain.position': { $lt: position },
      })
      .sort({ 'chain.position': 1 })
      .project<Pick<EvidenceSnapshotDocument, 'syncId' | 'manifest' | 'signature'>>({
        _id: 0,
        syncId: 1,
        manifest: 1,
        signature: 1,
      })
      .toArray();
  }

  /** A legacy per-generation collection of current pages. */
  private currentItems(generation: string): Collection<EvidenceItemPageDocument> {
    return this.db.collection<EvidenceItemPageDocument>(`${CURRENT_ITEMS_PREFIX}${generation}`);
  }

  private itemsOf(at: ItemsLocation): Collection<EvidenceItemPageDocument> {
    const legacy = at.scope === CURRENT_SCOPE && at.ref.store !== 'shared';
    return legacy ? this.currentItems(at.ref.generation) : this.items;
  }

  private async dropCurrentItems(generation: string): Promise<void> {
    try {
      await this.currentItems(generation).drop();
    } catch (error) {
      // Dropped already (a redelivered write): nothing of it is left.
      if (!(error instanceof MongoServerError && error.code === 26)) throw error;
    }
  }

  private async insertPages(
    into: Collection<EvidenceItemPageDocument>,
    at: Omit<ItemsLocation, 'ref'>,
    generation: string,
    items: Record<string, unknown[]>,
  ): Promise<ItemPagesRef> {
    const { ref, docs } = pagesOf(at, generation, items);
    await insertIgnoringDuplicates(into, docs, PAGES_PER_INSERT);
    return ref;
  }

  /** Items [offset, offset + limit) of every list, reading only the pages that hold them. */
  async itemsPage(
    at: ItemsLocation,
    offset: number,
    limit: number,
  ): Promise<Record<string, unknown[]>> {
    const wanted = Object.entries(at.ref.lists).flatMap(([list, index]) =>
      pagesCovering(index, offset, limit).map((page) => ({ list, page })),
    );
    const pages = await this.readPages(at, wanted);
    const out: Record<string, unknown[]> = {};
    for (const list of Object.keys(at.ref.lists)) {
      out[list] = pages
        .filter((p) => p.list === list)
        .flatMap((p) => p.items.slice(Math.max(0, offset - p.start), offset + limit - p.start));
    }
    return out;
  }

  /** Every page of one list, in order, a few at a time (verification streams through them). */
  async *pagesOf(at: ItemsLocation, list: string): AsyncGenerator<unknown[]> {
    const count = at.ref.lists[list]?.pageStarts.length ?? 0;
    for (let first = 0; first < count; first += PAGES_PER_READ) {
      const wanted = [];
      for (let page = first; page < Math.min(count, first + PAGES_PER_READ); page++)
        wanted.push({ list, page });
      for (const page of await this.readPages(at, wanted)) yield page.items;
    }
  }

  /** Every item of every list (the snapshots endpoint answers whole snapshots). */
  async allItems(at: ItemsLocation): Promise<Record<string, unknown[]>> {
    const out: Record<string, unknown[]> = {};
    for (const list of Object.keys(at.ref.lists)) {
      const items: unknown[] = [];
      for await (const page of this.pagesOf(at, list)) items.push(...page);
      out[list] = items;
    }
    return out;
  }

  /** The named pages by exact id, in the order asked; each checked against the index. */
  private async readPages(
    at: ItemsLocation,
    wanted: Array<{ list: string; page: number }>,
  ): Promise<EvidenceItemPageDocument[]> {
    if (wanted.length === 0) return [];
    const ids = wanted.map((w) => pageId(at, at.ref.generation, w.list, w.page));
    // One findOne per page: FerretDB answers an _id equality from its index, an $in by a scan.
    const items = this.itemsOf(at);
    const found = await Promise.all(ids.map((_id) => items.findOne({ _id })));
    return wanted.map(({ list, page }, i) => {
      const doc = found[i];
      const index = at.ref.lists[list];
      const start = index?.pageStarts[page];
      const end = index?.pageStarts[page + 1] ?? index?.total;
      if (!doc || doc.start !== start || end === undefined || doc.items.length !== end - start)
        throw new ItemPageError(`item page ${ids[i]} is missing or does not match its index`);
      return doc;
    });
  }

  /** One snapshot, or null. */
  snapshotOf(
    orgId: string,
    control: ControlId,
    syncId: string,
  ): Promise<EvidenceSnapshotDocument | null> {
    return this.snapshots.findOne({ _id: `${orgId}|${control}|${syncId}` });
  }

  /** A page of one control's snapshots, newest first, without items, and how many there are. */
  async snapshotsOf(
    orgId: string,
    control: ControlId,
    skip: number,
    limit: number,
  ): Promise<{ snapshots: EvidenceSnapshotDocument[]; total: number }> {
    const [snapshots, total] = await Promise.all([
      this.snapshots
        // the history is heads only: a legacy document's inline items (and the manifests) stay in the database
        .find({ orgId, control }, { projection: { 'evidence.items': 0, manifest: 0 } })
        .sort({ asOf: -1 })
        .skip(skip)
        .limit(limit)
        .toArray(),
      this.snapshots.countDocuments({ orgId, control }),
    ]);
    return { snapshots, total };
  }

  /** Records a completed log poll; an older one redelivered leaves the newer time. */
  async markLogPollCompleted(orgId: string, completedAt: string): Promise<void> {
    await this.pollMarks.updateOne(
      { _id: orgId },
      { $max: { lastPollCompletedAt: completedAt } },
      { upsert: true },
    );
  }

  async lastLogPollCompletedAt(orgId: string): Promise<string | null> {
    const mark = await this.pollMarks.findOne({ _id: orgId });
    return mark?.lastPollCompletedAt ?? null;
  }
}
