import { timingSafeEqual } from 'node:crypto';

/**
 * Service-to-service auth shared by both apps: does an `Authorization` header
 * carry `Bearer <expected>`? Compared in constant time (no early exit on the
 * first differing byte, and a wrong length is refused without comparing).
 */
export function bearerMatches(header: string | undefined, expected: Buffer): boolean {
  const match = /^Bearer (.+)$/.exec(header ?? '');
  const given = Buffer.from(match?.[1] ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
