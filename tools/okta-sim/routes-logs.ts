import { oktaErrors } from './errors';
import { materializeEvent } from './log-events';
import { LogEntry, OktaLogEvent } from './log-model';
import { buildUrl, parseLimit } from './pagination';
import { ApiResult, RouteContext, RouteDef } from './route';
import { AttributeSpec, compileFilter, FilterError, FilterOp, FilterValue } from './scim-filter';
import { MAX_SINCE_AGE_MS } from './system-log';
import { DAY_MS, iso } from './time';

const TEXT_OPS: readonly FilterOp[] = ['eq', 'ne', 'sw', 'co', 'ew', 'pr'];

/** Lazily built event JSON, so `eventType` filters never materialize an event. */
class EntryView {
  private cached: { entry: LogEntry; event: OktaLogEvent } | null = null;
  constructor(private readonly ctx: RouteContext) {}

  event(entry: LogEntry): OktaLogEvent {
    if (this.cached?.entry !== entry)
      this.cached = { entry, event: materializeEvent(entry, this.ctx.org) };
    return this.cached.event;
  }
}

function logSchema(view: EntryView): (attribute: string) => AttributeSpec<LogEntry> | undefined {
  const text = (get: (e: OktaLogEvent) => FilterValue): AttributeSpec<LogEntry> => ({
    kind: 'string',
    ops: TEXT_OPS,
    get: (entry) => get(view.event(entry)),
  });
  const table: Record<string, AttributeSpec<LogEntry>> = {
    eventType: { kind: 'string', ops: TEXT_OPS, get: (entry) => entry.eventType },
    uuid: { kind: 'string', ops: TEXT_OPS, get: (entry) => entry.uuid },
    severity: text((e) => e.severity),
    displayMessage: text((e) => e.displayMessage),
    legacyEventType: text((e) => e.legacyEventType),
    'outcome.result': text((e) => e.outcome.result),
    'outcome.reason': text((e) => e.outcome.reason),
    'actor.id': text((e) => e.actor.id),
    'actor.type': text((e) => e.actor.type),
    'actor.alternateId': text((e) => e.actor.alternateId),
    'actor.displayName': text((e) => e.actor.displayName),
    'target.id': text((e) => (e.target ?? []).map((t) => t.id)),
    'target.type': text((e) => (e.target ?? []).map((t) => t.type)),
    'target.alternateId': text((e) => (e.target ?? []).map((t) => t.alternateId)),
    'client.ipAddress': text((e) => e.client.ipAddress),
    'transaction.id': text((e) => e.transaction.id),
  };
  return (attribute) => table[attribute];
}

function logPredicate(ctx: RouteContext): (entry: LogEntry) => boolean {
  const view = new EntryView(ctx);
  const filter = ctx.query.get('filter');
  let byFilter: (entry: LogEntry) => boolean = () => true;
  if (filter !== null) {
    try {
      byFilter = compileFilter(filter, logSchema(view));
    } catch (error) {
      if (error instanceof FilterError) throw oktaErrors.badQuery(`filter: ${error.message}`);
      throw error;
    }
  }
  const words = (ctx.query.get('q') ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return byFilter;
  return (entry) => {
    if (!byFilter(entry)) return false;
    const event = view.event(entry);
    const haystack = [
      event.eventType,
      event.displayMessage,
      event.actor.alternateId,
      event.actor.displayName,
      ...(event.target ?? []).flatMap((t) => [t.alternateId, t.displayName]),
    ]
      .join(' ')
      .toLowerCase();
    return words.every((word) => haystack.includes(word));
  };
}

function parseInstant(name: string, raw: string | null): number | null {
  if (raw === null) return null;
  const value = Date.parse(raw);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(raw) || Number.isNaN(value)) {
    throw oktaErrors.badQuery(`${name}: "${raw}" is not an ISO 8601 timestamp`);
  }
  return value;
}

function keep(ctx: RouteContext, names: string[]): Array<[string, string]> {
  return names.flatMap((name) => {
    const value = ctx.query.get(name);
    return value === null ? [] : [[name, value] as [string, string]];
  });
}

/**
 * `/api/v1/logs`. Without `until` and ascending it is a polling query (by
 * visibility, endless next link); otherwise a bounded query (by published).
 */
function listLogs(ctx: RouteContext): ApiResult {
  const now = ctx.now().getTime();
  const limit = parseLimit(ctx.query.get('limit'), 100, 1000);
  const sortOrder = ctx.query.get('sortOrder') ?? 'ASCENDING';
  if (sortOrder !== 'ASCENDING' && sortOrder !== 'DESCENDING') {
    throw oktaErrors.badQuery(`sortOrder: "${sortOrder}" must be ASCENDING or DESCENDING`);
  }
  const since = parseInstant('since', ctx.query.get('since'));
  const until = parseInstant('until', ctx.query.get('until'));
  if (since !== null && since < now - MAX_SINCE_AGE_MS) {
    throw oktaErrors.badQuery('since: must be no more than 180 days in the past');
  }
  const after = ctx.query.get('after');
  const predicate = logPredicate(ctx);
  const render = (entries: LogEntry[]) => entries.map((entry) => materializeEvent(entry, ctx.org));
  if (until === null && sortOrder === 'ASCENDING') {
    const afterSeq = after === null ? null : (ctx.log.decode(after, 'p')[0] ?? 0);
    const page = ctx.log.poll({ sinceMs: since ?? now - 7 * DAY_MS, afterSeq, limit, predicate });
    const next = buildUrl(ctx.base, ctx.path, [
      ...keep(ctx, ['filter', 'q']),
      ['limit', String(limit)],
      ['after', page.nextCursor ?? ''],
    ]);
    return { status: 200, body: render(page.entries), paging: { next } };
  }
  const untilMs = until ?? now;
  const sinceMs = since ?? untilMs - 7 * DAY_MS;
  if (sinceMs > untilMs) throw oktaErrors.badQuery('since: must be before until');
  let position: { publishedMs: number; seq: number } | null = null;
  if (after !== null) {
    const [publishedMs = 0, seq = 0] = ctx.log.decode(after, 'b');
    position = { publishedMs, seq };
  }
  const page = ctx.log.bounded({
    sinceMs,
    untilMs,
    after: position,
    limit,
    descending: sortOrder === 'DESCENDING',
    predicate,
  });
  const next = page.nextCursor
    ? buildUrl(ctx.base, ctx.path, [
        ['since', iso(sinceMs)],
        ['until', iso(untilMs)],
        ...keep(ctx, ['filter', 'q', 'sortOrder']),
        ['limit', String(limit)],
        ['after', page.nextCursor],
      ])
    : null;
  return { status: 200, body: render(page.entries), paging: { next } };
}

export const logRoutes: RouteDef[] = [
  { method: 'GET', template: '/api/v1/logs', bucket: 'logs', auth: true, handle: listLogs },
];
