import { compareStrings } from './evidence-context';

/**
 * One Okta string of a summary breakdown (a user status, a factor type, a
 * role type) and how many it counts. Okta strings are never object keys in
 * evidence: a key with a NUL byte, a leading `$` or a `.` is refused by bson
 * or the database, which would stop the org's evidence
 * (docs/read-models.md, "Okta strings are values").
 */
export type ValueCount = { value: string; count: number };

/** The counts, sorted by value (code-unit order), so the evidence is deterministic. */
export function valueCounts(counts: ReadonlyMap<string, number>): ValueCount[] {
  return [...counts.entries()]
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([value, count]) => ({ value, count }));
}

/** Counts each string once per occurrence. */
export function countValues(values: Iterable<string>): ValueCount[] {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return valueCounts(counts);
}
