import { OktaDomainError } from './okta-domain';

/** Small pure helpers of OktaHttp (okta-http.ts). */

/** Our code for an attempt that outlived `timeouts.callMs`. */
export const DEADLINE_CODE = 'OKTA_CALL_DEADLINE';

/** Transport failures worth another attempt. */
export const RETRYABLE_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  DEADLINE_CODE,
]);

/** The guarded DNS lookup refused a private or reserved address: never retried. */
export function throwIfPrivateAddress(err: unknown): void {
  if (err instanceof OktaDomainError) throw err;
  if ((err as { code?: unknown })?.code === 'ERR_OKTA_PRIVATE_ADDRESS') {
    throw new OktaDomainError(
      'private-address',
      'The Okta domain resolved to a private or reserved address; connection refused.',
    );
  }
}

export function headerString(
  headers: Record<string, string | string[] | undefined>,
  name: string,
): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The error code and summary from an error body (the summary scrubbed), as far as it has them. */
export function parseErrorBody(
  text: string,
  scrub: (s: string) => string,
): {
  errorCode?: string | undefined;
  errorSummary?: string | undefined;
} {
  try {
    const b = JSON.parse(text) as { errorCode?: unknown; errorSummary?: unknown };
    const errorCode =
      typeof b?.errorCode === 'string' && /^[A-Za-z0-9_.-]{1,40}$/.test(b.errorCode)
        ? b.errorCode
        : undefined;
    const errorSummary =
      typeof b?.errorSummary === 'string' ? scrub(b.errorSummary).slice(0, 300) : undefined;
    return { errorCode, errorSummary };
  } catch {
    return {};
  }
}

export function errorCode(err: unknown): string {
  const e = err as { code?: unknown; name?: unknown } | null;
  if (e && typeof e.code === 'string') return e.code;
  if (e && typeof e.name === 'string') return e.name;
  return 'UNKNOWN';
}

export function describeTransport(code: string, err: unknown): string {
  const msg = err instanceof Error ? err.message : '';
  const detail = msg && msg !== code ? `${code}: ${msg}` : code;
  return detail.slice(0, 200);
}

export function safeOrigin(u: URL): string {
  return `${u.protocol}//${u.host}`;
}
