export { Secret } from './secret';
export { type Clock, type Sleep, systemClock, realSleep, AbortedError } from './clock';
export {
  validateOktaDomain,
  resolveOktaDomain,
  type OktaDomainResolution,
  guardedLookup,
  isInsecureHostAllowed,
  looksLikeOktaOrganization,
  OktaDomainError,
  OKTA_DOMAIN_SUFFIXES,
  type OktaDomainErrorReason,
  type ValidateOktaDomainOptions,
} from './okta-domain';
export { isPublicAddress } from './ip-address';
export {
  OktaApiError,
  OktaCredentialsInvalidError,
  OktaForbiddenError,
  OktaNotFoundError,
  OktaBadRequestError,
  OktaRateLimitedError,
  OktaTransientError,
  OktaUnexpectedStatusError,
  OktaBadResponseError,
  OktaCrossOriginLinkError,
  OktaPaginationLoopError,
  OktaRateLimitWaitTooLongError,
  OktaResponseTooLargeError,
  errorForStatus,
  type OktaApiErrorInit,
} from './okta-errors';
export { parseLinkHeader, findNextLink, type LinkEntry } from './link-header';
export {
  OktaRateLimiter,
  classifyBucket,
  parseRateHeaders,
  OKTA_BUCKETS,
  DEFAULT_MAX_SHARE,
  type OktaBucket,
  type RateHeaders,
  type RateLimiterOptions,
  type RateTicket,
  type RateVerdict,
  type BucketSnapshot,
} from './rate-limiter';
export { OktaHttp, USER_AGENT } from './okta-http';
export {
  type OktaClientLogger,
  type OktaResponseEvent,
  type OktaTimeouts,
  type OktaRetryOptions,
  type OktaHttpOptions,
  type OktaGetRequest,
  type OktaJsonResponse,
  type OktaHttpStats,
} from './okta-http.types';
export {
  OktaClient,
  OktaOrganizationSchema,
  DEFAULT_PAGE_LIMITS,
  type OktaPageLimits,
  type OktaClientOptions,
  type OktaOrganization,
  type OktaLogPage,
  type OktaLogPageRequest,
} from './okta.client';
export {
  type SharedRateBudget,
  type BudgetPermit,
  CELLS_PER_WINDOW,
  CONSERVATIVE_LIMITS,
  allowedPerWindow,
  cellCap,
  cellMs,
  cellOf,
} from './shared-budget';
