/**
 * Typed failures of the Okta API client. Messages are meant for logs and for
 * the connection status a customer sees: they name the method, the path
 * template (`GET /api/v1/users/{id}/factors`, never a concrete URL or its
 * query), the HTTP status, Okta's errorCode/errorSummary and the
 * X-Okta-Request-Id. They never contain the API token.
 */

export interface OktaApiErrorInit {
  /** HTTP status; 0 when no HTTP answer arrived (network error, timeout). */
  status: number;
  /** `METHOD /path/template`. */
  endpoint: string;
  oktaErrorCode?: string | undefined;
  oktaErrorSummary?: string | undefined;
  oktaRequestId?: string | undefined;
  /** Extra human-readable detail (already sanitised by the caller). */
  detail?: string | undefined;
  cause?: unknown;
}

export class OktaApiError extends Error {
  readonly status: number;
  readonly endpoint: string;
  readonly oktaErrorCode?: string | undefined;
  readonly oktaErrorSummary?: string | undefined;
  readonly oktaRequestId?: string | undefined;
  /** Whether the HTTP layer may retry the same request. */
  readonly retryable: boolean;

  constructor(init: OktaApiErrorInit, retryable: boolean, what: string) {
    super(formatMessage(init, what), init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.status = init.status;
    this.endpoint = init.endpoint;
    this.oktaErrorCode = init.oktaErrorCode;
    this.oktaErrorSummary = init.oktaErrorSummary;
    this.oktaRequestId = init.oktaRequestId;
    this.retryable = retryable;
  }

  /** A log-friendly view (no stack, no cause chain). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      status: this.status,
      endpoint: this.endpoint,
      oktaErrorCode: this.oktaErrorCode,
      oktaRequestId: this.oktaRequestId,
      retryable: this.retryable,
    };
  }
}

function formatMessage(init: OktaApiErrorInit, what: string): string {
  const parts = [`Okta ${init.endpoint}: ${what}`];
  parts.push(init.status > 0 ? `(HTTP ${init.status})` : '(no HTTP response)');
  if (init.oktaErrorCode) parts.push(init.oktaErrorCode);
  if (init.oktaErrorSummary) parts.push(`"${init.oktaErrorSummary}"`);
  if (init.detail) parts.push(`- ${init.detail}`);
  if (init.oktaRequestId) parts.push(`[X-Okta-Request-Id ${init.oktaRequestId}]`);
  return parts.join(' ');
}

/** 401 (E0000011 invalid/expired/revoked token, E0000004, E0000015 …). Never retried. */
export class OktaCredentialsInvalidError extends OktaApiError {
  constructor(init: OktaApiErrorInit) {
    super(init, false, 'the API token was rejected (invalid, expired or revoked)');
  }
}

/** 403: the token's admin roles do not allow this call. */
export class OktaForbiddenError extends OktaApiError {
  constructor(init: OktaApiErrorInit) {
    super(init, false, 'the API token is not permitted to make this call');
  }
}

/** 404. */
export class OktaNotFoundError extends OktaApiError {
  constructor(init: OktaApiErrorInit) {
    super(init, false, 'not found');
  }
}

/** 400 (E0000031 / E0000033 / E0000053 bad query, `since` too old …). */
export class OktaBadRequestError extends OktaApiError {
  constructor(init: OktaApiErrorInit) {
    super(init, false, 'Okta refused the request as invalid');
  }
}

/** 429 that persisted after the client's rate-limit retries were exhausted. */
export class OktaRateLimitedError extends OktaApiError {
  constructor(init: OktaApiErrorInit, what = 'rate limited by Okta; retries exhausted') {
    super(init, false, what);
  }
}

/**
 * Okta's rate-limit Reset lies further ahead than a sync may wait
 * (`maxRateLimitWaitMs`): the sync fails as rate limited instead of parking.
 */
export class OktaRateLimitWaitTooLongError extends OktaRateLimitedError {
  constructor(init: OktaApiErrorInit) {
    super(init, 'rate limited by Okta until a reset too far ahead to wait for');
  }
}

/** The body exceeded `maxResponseBytes`; it was aborted while streaming. Not retried. */
export class OktaResponseTooLargeError extends OktaApiError {
  constructor(init: OktaApiErrorInit) {
    super(init, false, 'the response is larger than the client accepts');
  }
}

/** 5xx, connection resets, timeouts, malformed JSON bodies. Retryable in principle. */
export class OktaTransientError extends OktaApiError {
  constructor(init: OktaApiErrorInit) {
    super(init, true, 'transient failure');
  }
}

/** Any other unexpected HTTP status (3xx redirects are not followed, 405, 409 …). */
export class OktaUnexpectedStatusError extends OktaApiError {
  constructor(init: OktaApiErrorInit) {
    super(init, false, 'unexpected HTTP status');
  }
}

/**
 * The answer parsed but does not have the expected shape (not an array, an
 * item failing its schema …). A data problem: not retried.
 */
export class OktaBadResponseError extends OktaApiError {
  /** Index of the offending item within the page, when it is about one item. */
  readonly itemIndex?: number | undefined;

  constructor(init: OktaApiErrorInit & { itemIndex?: number | undefined }) {
    super(init, false, 'unexpected response content');
    this.itemIndex = init.itemIndex;
  }
}

/** A pagination link (Link header or `_links.next.href`) points to another origin. */
export class OktaCrossOriginLinkError extends OktaBadResponseError {}

/** A listing's `next` link repeats one already followed, or the listing has too many pages. */
export class OktaPaginationLoopError extends OktaBadResponseError {}

/** Maps an HTTP error status to its typed error. 429 maps to OktaRateLimitedError. */
export function errorForStatus(init: OktaApiErrorInit): OktaApiError {
  const s = init.status;
  if (s === 401) return new OktaCredentialsInvalidError(init);
  if (s === 403) return new OktaForbiddenError(init);
  if (s === 404) return new OktaNotFoundError(init);
  if (s === 400) return new OktaBadRequestError(init);
  if (s === 429) return new OktaRateLimitedError(init);
  if (s >= 500 && s <= 599) return new OktaTransientError(init);
  return new OktaUnexpectedStatusError(init);
}
