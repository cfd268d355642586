import { projectorGet } from './apps';

/** A snapshot as its hash covers it: the head and every item list whole. */
export interface WholeSnapshot {
  hash: string;
  asOf: string;
  evidence: Record<string, unknown> & { items: Record<string, unknown[]> };
}

/**
 * Reads one snapshot through the read API page by page
 * (`GET …/snapshots/:syncId?offset=&limit=`) until every list is whole, as
 * a client checking the hash over HTTP must: the history lists no items.
 */
export async function readWholeSnapshot(
  projectorUrl: string,
  path: { orgId: string; control: string; syncId: string },
  { limit = 1000, token }: { limit?: number; token?: string } = {},
): Promise<WholeSnapshot> {
  const base = `/v1/orgs/${path.orgId}/evidence/${path.control}/snapshots/${encodeURIComponent(path.syncId)}`;
  const items: Record<string, unknown[]> = {};
  for (let offset = 0; ; offset += limit) {
    const res = await projectorGet(projectorUrl, `${base}?offset=${offset}&limit=${limit}`, token);
    if (res.status !== 200) throw new Error(`GET ${base}: HTTP ${res.status} ${await res.text()}`);
    const body = (await res.json()) as {
      hash: string;
      asOf: string;
      evidence: Record<string, unknown> & { items: Record<string, unknown[]> };
      page: { totals: Record<string, number> };
    };
    for (const [list, page] of Object.entries(body.evidence.items))
      (items[list] ??= []).push(...page);
    const done = Object.entries(body.page.totals).every(
      ([list, total]) => (items[list]?.length ?? 0) >= total,
    );
    if (done) return { hash: body.hash, asOf: body.asOf, evidence: { ...body.evidence, items } };
  }
}
