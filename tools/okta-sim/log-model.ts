/** Okta System Log event, as `/api/v1/logs` returns it. */
export interface OktaLogActor {
  id: string;
  type: string;
  alternateId: string;
  displayName: string;
  detailEntry: Record<string, unknown> | null;
}

export type OktaLogTarget = OktaLogActor;

export interface OktaGeoContext {
  city: string | null;
  state: string | null;
  country: string | null;
  postalCode: string | null;
  geolocation: { lat: number; lon: number } | null;
}

export interface OktaLogEvent {
  uuid: string;
  published: string;
  eventType: string;
  version: string;
  displayMessage: string;
  severity: string;
  legacyEventType: string | null;
  actor: OktaLogActor;
  client: {
    userAgent: { rawUserAgent: string; os: string; browser: string } | null;
    zone: string;
    device: string;
    id: string | null;
    ipAddress: string | null;
    geographicalContext: OktaGeoContext | null;
  };
  device: null;
  outcome: { result: string; reason: string | null };
  target: OktaLogTarget[] | null;
  authenticationContext: {
    authenticationProvider: string | null;
    credentialProvider: string | null;
    credentialType: string | null;
    issuer: null;
    interface: string | null;
    authenticationStep: number;
    externalSessionId: string | null;
  };
  securityContext: {
    asNumber: number | null;
    asOrg: string | null;
    isp: string | null;
    domain: string | null;
    isProxy: boolean | null;
  };
  debugContext: { debugData: Record<string, string> };
  transaction: { type: string; id: string; detail: Record<string, unknown> };
  request: {
    ipChain: Array<{
      ip: string;
      geographicalContext: OktaGeoContext | null;
      version: string;
      source: null;
    }>;
  };
}

/**
 * Compact description of a generated event: the full JSON is rebuilt from it
 * (deterministically, from `salt`) when a page is served, so a 150,000-event
 * log costs a few MB.
 */
export interface GeneratedLogSpec {
  actorId: string;
  /**
   * User, group or app ids (the kind is looked up in the org, deleted objects
   * included), or an `appUserRef` (an app user).
   */
  targetIds: string[];
  result: string;
  reason: string | null;
  /** Factor type, role type… depending on the event type. */
  detail: string | null;
  salt: number;
  /**
   * Events of one sign-in flow (session start, then the MFA verification) share
   * it: their session and transaction ids are drawn from it, as Okta logs them.
   */
  flow?: number;
}

export interface LogEntry {
  /** Visibility position (1, 2, …), assigned when the event becomes visible; 0 before. */
  seq: number;
  publishedMs: number;
  visibleAtMs: number;
  uuid: string;
  eventType: string;
  spec?: GeneratedLogSpec;
  event?: OktaLogEvent;
}
