import { CONTROL_IDS } from '../../apps/evidence-projector/src/evidence/rules/controls.registry';
import { projectorGet } from './apps';

/** One control's evidence, canonical: the summary and every item list as sorted canonical JSON. */
export interface CanonicalEvidence {
  summary: string;
  items: Record<string, string[]>;
}

/**
 * The four controls' evidence as the read API serves it (every page of every
 * item list), without the fields that name the sync or the time it was
 * computed: two pipelines that saw the same org state compare equal.
 */
export async function evidenceOf(
  projectorUrl: string,
  orgId: string,
): Promise<Record<string, CanonicalEvidence>> {
  const all: Record<string, CanonicalEvidence> = {};
  for (const control of CONTROL_IDS) {
    const items: Record<string, unknown[]> = {};
    let summary: unknown = null;
    for (let offset = 0; ; offset += 1000) {
      const res = await projectorGet(
        projectorUrl,
        `/v1/orgs/${orgId}/evidence/${control}?offset=${offset}&limit=1000`,
      );
      if (res.status !== 200) throw new Error(`evidence ${control}: HTTP ${res.status}`);
      const body = (await res.json()) as {
        summary: unknown;
        items: Record<string, unknown[]>;
        page: { totals: Record<string, number> };
      };
      summary = body.summary;
      for (const [name, list] of Object.entries(body.items)) (items[name] ??= []).push(...list);
      if (Object.values(body.page.totals).every((total) => total <= offset + 1000)) break;
    }
    all[control] = {
      summary: canonical(summary),
      items: Object.fromEntries(
        Object.entries(items).map(([name, list]) => [name, list.map((i) => canonical(i)).sort()]),
      ),
    };
  }
  return all;
}

/**
 * Fields that name the sync or the moment of evaluation (the window's ends
 * follow `asOf`; a deletion found by a sweep is dated by that sync's
 * completion: `removedAt`, `removedBySyncId`, and `deletedAt` without a log
 * event, whose `deleteEvent` is still compared), and `coverage`: the counts of what the sync itself read,
 * which for an incremental sync are its re-reads (what it could not read
 * still shows as unknown entries and in `complete`/`incompleteDatasets`).
 */
const VOLATILE = new Set([
  'syncId',
  'asOf',
  'hash',
  'windowStart',
  'windowEnd',
  'coverage',
  'removedAt',
  'removedBySyncId',
  'deletedAt',
]);

/** JSON with sorted keys and without the fields that name a sync or a time of evaluation. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (key, v: unknown) => {
    if (VOLATILE.has(key)) return undefined;
    return v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([x], [y]) => x.localeCompare(y)),
        )
      : v;
  });
}

export function firstDifference(
  a: Record<string, CanonicalEvidence>,
  b: Record<string, CanonicalEvidence>,
): string {
  for (const control of Object.keys(a)) {
    const x = a[control]!;
    const y = b[control]!;
    if (x.summary !== y.summary)
      return `${control} summary:\n  incremental ${x.summary}\n  full        ${y.summary}`;
    for (const list of new Set([...Object.keys(x.items), ...Object.keys(y.items)])) {
      const xs = new Set(x.items[list] ?? []);
      const ys = new Set(y.items[list] ?? []);
      const onlyX = [...xs].filter((item) => !ys.has(item)).slice(0, 3);
      const onlyY = [...ys].filter((item) => !xs.has(item)).slice(0, 3);
      if (onlyX.length || onlyY.length)
        return `${control}.${list}: only incremental ${onlyX.join(' | ')}; only full ${onlyY.join(' | ')}`;
    }
  }
  return 'no difference found';
}
