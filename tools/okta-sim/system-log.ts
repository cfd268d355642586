import { createHash } from 'node:crypto';
import { oktaErrors } from './errors';
import { LogEntry } from './log-model';
import { DAY_MS } from './time';

export const RETENTION_MS = 90 * DAY_MS;
export const MAX_SINCE_AGE_MS = 180 * DAY_MS;

export interface PollingQuery {
  /** Lower bound on `published` for the first request (ignored once `after` is given). */
  sinceMs: number;
  afterSeq: number | null;
  limit: number;
  predicate: (entry: LogEntry) => boolean;
}

export interface BoundedQuery {
  sinceMs: number;
  untilMs: number;
  after: { publishedMs: number; seq: number } | null;
  limit: number;
  descending: boolean;
  predicate: (entry: LogEntry) => boolean;
}

export interface LogPage {
  entries: LogEntry[];
  /** Cursor for the next link; polling always has one, bounded only when more remain. */
  nextCursor: string | null;
}

function compareKey(a: LogEntry, publishedMs: number, seq: number): number {
  return a.publishedMs - publishedMs || a.seq - seq;
}

/**
 * The System Log. Events carry a visibility sequence: the order in which they
 * became visible (persisted), which polling follows; `published` may go
 * backwards along it when events arrive late. Bounded queries follow
 * `published` instead.
 */
export class SystemLogStore {
  /** Visible events in visibility order (seq ascending). */
  private readonly visible: LogEntry[] = [];
  /** Not yet visible, by visibleAt then insertion. */
  private pending: LogEntry[] = [];
  /** Visible events sorted by (published, seq); rebuilt lazily after appends. */
  private byPublished: LogEntry[] | null = null;
  private nextSeq = 1;

  constructor(
    private readonly clock: () => number,
    private readonly cursorSecret: string,
  ) {}

  /** Adds an event; it becomes visible at `visibleAtMs` (now when absent or past). */
  add(entry: Omit<LogEntry, 'seq' | 'visibleAtMs'>, visibleAtMs?: number): LogEntry {
    this.promote();
    const now = this.clock();
    const stored: LogEntry = { ...entry, seq: 0, visibleAtMs: visibleAtMs ?? now };
    if (stored.visibleAtMs <= now) this.makeVisible(stored);
    else {
      this.pending.push(stored);
      this.pending.sort((a, b) => a.visibleAtMs - b.visibleAtMs);
    }
    return stored;
  }

  private makeVisible(entry: LogEntry): void {
    entry.seq = this.nextSeq++;
    this.visible.push(entry);
    this.byPublished = null;
  }

  /** Makes due pending events visible, in visibility-time order. */
  promote(): void {
    if (this.pending.length === 0) return;
    const now = this.clock();
    const due = this.pending.filter((entry) => entry.visibleAtMs <= now);
    if (due.length === 0) return;
    this.pending = this.pending.filter((entry) => entry.visibleAtMs > now);
    for (const entry of due) this.makeVisible(entry);
  }

  visibleCount(): number {
    this.promote();
    return this.visible.length;
  }

  pendingCount(): number {
    return this.pending.length;
  }

  /** Every visible event, in visibility order (for ground truth and tests). */
  visibleEntries(): readonly LogEntry[] {
    this.promote();
    return this.visible;
  }

  private sortedByPublished(): LogEntry[] {
    if (!this.byPublished) {
      this.byPublished = [...this.visible].sort((a, b) => compareKey(a, b.publishedMs, b.seq));
    }
    return this.byPublished;
  }

  /**
   * Polling: visible events after the cursor in visibility order. The next
   * cursor always exists: the last event served, or — when the page is not
   * full — the end of the log, so re-asking later returns only newer events.
   */
  poll(query: PollingQuery): LogPage {
    this.promote();
    const retained = this.clock() - RETENTION_MS;
    const start = query.afterSeq === null ? 0 : this.firstAfterSeq(query.afterSeq);
    const entries: LogEntry[] = [];
    for (let i = start; i < this.visible.length; i++) {
      const entry = this.visible[i] as LogEntry;
      if (query.afterSeq === null && entry.publishedMs < query.sinceMs) continue;
      if (entry.publishedMs < retained || !query.predicate(entry)) continue;
      entries.push(entry);
      if (entries.length === query.limit)
        return { entries, nextCursor: this.encode('p', [entry.seq]) };
    }
    const end = this.visible[this.visible.length - 1]?.seq ?? 0;
    return { entries, nextCursor: this.encode('p', [Math.max(end, query.afterSeq ?? 0)]) };
  }

  private firstAfterSeq(seq: number): number {
    let lo = 0;
    let hi = this.visible.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.visible[mid] as LogEntry).seq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Bounded: events with since ≤ published < until, by published; finite. */
  bounded(query: BoundedQuery): LogPage {
    this.promote();
    const sorted = this.sortedByPublished();
    const since = Math.max(query.sinceMs, this.clock() - RETENTION_MS);
    const entries: LogEntry[] = [];
    const inRange = (entry: LogEntry) =>
      entry.publishedMs >= since && entry.publishedMs < query.untilMs;
    const step = query.descending ? -1 : 1;
    let i = this.boundedStart(sorted, query, since);
    for (; i >= 0 && i < sorted.length; i += step) {
      const entry = sorted[i] as LogEntry;
      if (!inRange(entry)) {
        if (query.descending ? entry.publishedMs < since : entry.publishedMs >= query.untilMs)
          break;
        continue;
      }
      if (!query.predicate(entry)) continue;
      if (entries.length === query.limit) {
        const last = entries[entries.length - 1] as LogEntry;
        return { entries, nextCursor: this.encode('b', [last.publishedMs, last.seq]) };
      }
      entries.push(entry);
    }
    return { entries, nextCursor: null };
  }

  private boundedStart(sorted: LogEntry[], query: BoundedQuery, since: number): number {
    // first index whose key is > (after) ascending, or last index < (after) descending
    const pivot =
      query.after ??
      (query.descending ? { publishedMs: query.untilMs, seq: 0 } : { publishedMs: since, seq: 0 });
    let lo = 0;
    let hi = sorted.length;
    const strict = query.after !== null || query.descending;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const cmp = compareKey(sorted[mid] as LogEntry, pivot.publishedMs, pivot.seq);
      if (cmp < 0 || (cmp === 0 && (query.descending ? !strict : strict))) lo = mid + 1;
      else hi = mid;
    }
    return query.descending ? lo - 1 : lo;
  }

  // ---- cursors: opaque, tamper-evident, tied to this simulator instance ----

  private checksum(payload: string): string {
    return createHash('sha256')
      .update(`${this.cursorSecret}|${payload}`)
      .digest('base64url')
      .slice(0, 10);
  }

  private encode(kind: 'p' | 'b', parts: number[]): string {
    const payload = `${kind}.${parts.join('.')}`;
    return Buffer.from(`${payload}.${this.checksum(payload)}`).toString('base64url');
  }

  /** Decodes an `after` of the given kind; 400 E0000031 when malformed, foreign or ahead of the log. */
  decode(raw: string, kind: 'p' | 'b'): number[] {
    const invalid = () =>
      oktaErrors.badQuery(`after: the cursor "${raw}" is invalid or has expired`);
    const text = /^[A-Za-z0-9_-]+$/.test(raw) ? Buffer.from(raw, 'base64url').toString('utf8') : '';
    const pieces = text.split('.');
    const sum = pieces.pop();
    const payload = pieces.join('.');
    if (pieces[0] !== kind || !sum || sum !== this.checksum(payload)) throw invalid();
    const numbers = pieces.slice(1).map(Number);
    if (numbers.some((n) => !Number.isSafeInteger(n) || n < 0)) throw invalid();
    const seq = numbers[numbers.length - 1] ?? 0;
    if (seq >= this.nextSeq) throw invalid();
    return numbers;
  }
}
