import type { LogFact } from './log-event.document';
import { SUCCESS } from './log-rules';

/** A System Log event wanted: one of these types, naming every one of these ids among its targets. */
export interface FactQuery {
  eventTypes: readonly string[];
  targets: readonly string[];
}

/** Published after `after` (exclusive; null: no lower bound) and at or before `through`. */
export interface FactWindow {
  after: string | null;
  through: string;
}

/** The event types any of the queries asks for. */
export function eventTypesOf(queries: ReadonlyArray<FactQuery | null>): string[] {
  return [...new Set(queries.flatMap((q) => q?.eventTypes ?? []))].sort();
}

/**
 * Pure: for each query (null: none wanted), the latest successful fact in the
 * window of a wanted type whose targets include every wanted id, or null.
 * Ties on `published` go to the greater uuid, so the answer never depends on
 * the order of `facts`.
 */
export function latestMatching(
  facts: readonly LogFact[],
  queries: ReadonlyArray<FactQuery | null>,
  window: FactWindow,
): Array<LogFact | null> {
  const after = window.after === null ? -Infinity : Date.parse(window.after);
  const through = Date.parse(window.through);
  const byType = new Map<string, LogFact[]>();
  for (const fact of facts) {
    const published = Date.parse(fact.published);
    if (fact.outcome !== SUCCESS || !(published > after && published <= through)) continue;
    const list = byType.get(fact.eventType) ?? [];
    list.push(fact);
    byType.set(fact.eventType, list);
  }
  return queries.map((query) => {
    if (!query) return null;
    let best: LogFact | null = null;
    for (const type of query.eventTypes)
      for (const fact of byType.get(type) ?? [])
        if (query.targets.every((id) => fact.targetIds.includes(id)) && later(fact, best))
          best = fact;
    return best;
  });
}

function later(fact: LogFact, than: LogFact | null): boolean {
  if (!than) return true;
  const a = Date.parse(fact.published);
  const b = Date.parse(than.published);
  return a > b || (a === b && fact.uuid > than.uuid);
}
