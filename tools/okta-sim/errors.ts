import { randomBytes } from 'node:crypto';

/** Okta's error body: clients branch on `errorCode` only. */
export interface OktaErrorBody {
  errorCode: string;
  errorSummary: string;
  errorLink: string;
  errorId: string;
  errorCauses: Array<{ errorSummary: string }>;
}

/** A handler outcome that is an Okta error answer, not a simulator bug. */
export class OktaApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    readonly summary: string,
    readonly causes: string[] = [],
  ) {
    super(`${status} ${errorCode} ${summary}`);
  }
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random alphanumeric id (request ids, error ids); not part of the seeded org. */
export function randomAlnum(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += ALNUM[byte % ALNUM.length];
  return out;
}

export function errorId(): string {
  return `oae${randomAlnum(22)}`;
}

export function errorBody(error: OktaApiError): OktaErrorBody {
  return {
    errorCode: error.errorCode,
    errorSummary: error.summary,
    errorLink: error.errorCode,
    errorId: errorId(),
    errorCauses: error.causes.map((errorSummary) => ({ errorSummary })),
  };
}

export const oktaErrors = {
  invalidToken: () => new OktaApiError(401, 'E0000011', 'Invalid token provided'),
  forbidden: () =>
    new OktaApiError(403, 'E0000006', 'You do not have permission to perform the requested action'),
  notFound: (what: string) =>
    new OktaApiError(404, 'E0000007', `Not found: Resource not found: ${what}`),
  methodNotAllowed: () =>
    new OktaApiError(405, 'E0000022', 'The endpoint does not support the provided HTTP method'),
  badQuery: (cause: string) =>
    new OktaApiError(400, 'E0000031', 'Invalid search criteria.', [cause]),
  rateLimited: () =>
    new OktaApiError(429, 'E0000047', 'API call exceeded rate limit due to too many requests.'),
  internal: () =>
    new OktaApiError(500, 'E0000009', 'Internal Server Error', [
      'The request timed out; retry later',
    ]),
  unavailable: () =>
    new OktaApiError(
      503,
      'E0000010',
      'Service is temporarily unavailable. Please try again later.',
    ),
};
