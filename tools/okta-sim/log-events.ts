import { OktaGeoContext, OktaLogActor, OktaLogEvent, LogEntry } from './log-model';
import { SimOrg, UserStatus } from './model';
import { PLACES, ROLE_LABELS, USER_AGENTS } from './org-catalog';
import { Prng } from './prng';
import { ObjectSize, ipChainHops, richDebugData } from './realistic-size';

const DISPLAY_MESSAGES: Readonly<Record<string, string>> = {
  'user.session.start': 'User login to Okta',
  'user.session.end': 'User logout from Okta',
  'user.authentication.auth_via_mfa': 'Authentication of user via MFA',
  'user.authentication.sso': 'User single sign on to app',
  'policy.evaluate_sign_on': 'Evaluation of sign-on policy',
  'user.mfa.factor.activate': 'Activate factor or authenticator',
  'user.mfa.factor.deactivate': 'Reset factor or authenticator',
  'user.mfa.factor.reset_all': 'Reset all factors for user',
  'user.mfa.factor.update': 'Update factor for user',
  'user.lifecycle.create': 'Create okta user',
  'user.lifecycle.activate': 'Activate Okta user',
  'user.lifecycle.deactivate': 'Deactivate Okta user',
  'user.lifecycle.suspend': 'Suspend Okta user',
  'user.lifecycle.unsuspend': 'Unsuspend Okta user',
  'user.lifecycle.reactivate': 'Reactivate Okta user',
  'user.lifecycle.delete.initiated': 'Delete Okta user initiated',
  'user.lifecycle.delete.completed': 'Delete Okta user completed',
  'user.account.lock': 'Max sign in attempts exceeded',
  'user.account.unlock': 'Unlock user account',
  'user.account.update_password': 'User update password for Okta',
  'group.user_membership.add': 'Add user to group membership',
  'group.user_membership.remove': 'Remove user from group membership',
  'application.user_membership.add': 'Add user to application membership',
  'application.user_membership.remove': 'Remove user from application membership',
  'user.account.privilege.grant': 'Grant user privilege',
  'user.account.privilege.revoke': 'Revoke user privilege',
  'group.privilege.grant': 'Grant group privilege',
  'group.privilege.revoke': 'Revoke group privilege',
  'group.application_assignment.add': 'Add assigned application to group',
  'group.application_assignment.remove': 'Remove assigned application from group',
  'group.lifecycle.delete': 'Delete Okta group',
  'application.lifecycle.activate': 'Activate application',
  'application.lifecycle.deactivate': 'Deactivate application',
  'application.lifecycle.delete': 'Delete application',
};

const LEGACY_TYPES: Readonly<Record<string, string>> = {
  'user.session.start:SUCCESS': 'core.user_auth.login_success',
  'user.session.start:FAILURE': 'core.user_auth.login_failed',
  'user.authentication.sso:SUCCESS': 'app.auth.sso',
  'user.lifecycle.create:SUCCESS': 'core.user.config.user_creation.success',
  'user.lifecycle.activate:SUCCESS': 'core.user.config.user_activated',
  'user.lifecycle.deactivate:SUCCESS': 'core.user.config.user_deactivated',
  'user.lifecycle.suspend:SUCCESS': 'core.user.config.user_status.suspended',
  'group.user_membership.add:SUCCESS': 'core.user_group_member.user_add',
  'group.user_membership.remove:SUCCESS': 'core.user_group_member.user_remove',
};

const FACTOR_DEBUG_NAMES: Readonly<Record<string, string>> = {
  push: 'OKTA_VERIFY_PUSH',
  signed_nonce: 'SIGNED_NONCE',
  'token:software:totp': 'OKTA_VERIFY_TOTP',
  sms: 'SMS_FACTOR',
  call: 'CALL_FACTOR',
  email: 'EMAIL_FACTOR',
  question: 'QUESTION_FACTOR',
  webauthn: 'FIDO_WEBAUTHN',
  u2f: 'FIDO_U2F',
  'token:hardware': 'YUBIKEY_TOKEN',
};

export const SYSTEM_ACTOR: OktaLogActor = {
  id: '0oa1system000000000',
  type: 'PublicClientApp',
  alternateId: 'Okta System',
  displayName: 'Okta System',
  detailEntry: null,
};

/**
 * A target naming a user's assignment to an app (Okta's `AppUser`), as stored
 * in a log spec's `targetIds`: rendered with the app user's own id (`0ua…`).
 */
export function appUserRef(appId: string, userId: string): string {
  return `${appId}/${userId}`;
}

/** The app user's id, drawn from the app and user ids (the same on every render). */
export function appUserId(appId: string, userId: string): string {
  let hash = 0x811c9dc5;
  for (const char of `${appId}/${userId}`) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
  return new Prng(hash >>> 0).oktaId('0ua');
}

function userPrincipal(org: SimOrg, id: string): OktaLogActor | undefined {
  const user = org.user(id);
  if (user) {
    return {
      id,
      type: 'User',
      alternateId: user.profile.login,
      displayName: `${user.profile.firstName} ${user.profile.lastName}`,
      detailEntry: null,
    };
  }
  const deleted = org.deleted(id);
  return deleted?.type === 'User' ? { id, ...deleted, detailEntry: null } : undefined;
}

/**
 * Actor/target reference for an id of the org (user, group or app, or an
 * `appUserRef`). Hard-deleted objects keep the names they had.
 */
export function principalOf(org: SimOrg, id: string): OktaLogActor {
  const slash = id.indexOf('/');
  if (slash > 0) {
    const appId = id.slice(0, slash);
    const user = userPrincipal(org, id.slice(slash + 1));
    return {
      id: appUserId(appId, id.slice(slash + 1)),
      type: 'AppUser',
      alternateId: user?.alternateId ?? 'unknown',
      displayName: user?.displayName ?? 'unknown',
      detailEntry: null,
    };
  }
  const user = userPrincipal(org, id);
  if (user) return user;
  const group = org.group(id);
  if (group)
    return {
      id,
      type: 'UserGroup',
      alternateId: 'unknown',
      displayName: group.name,
      detailEntry: null,
    };
  const app = org.app(id);
  if (app)
    return {
      id,
      type: 'AppInstance',
      alternateId: app.label,
      displayName: app.label,
      detailEntry: null,
    };
  const deleted = org.deleted(id);
  if (deleted) return { id, ...deleted, detailEntry: null };
  return { ...SYSTEM_ACTOR, id };
}

export interface EventDraft {
  uuid: string;
  published: string;
  eventType: string;
  actor: OktaLogActor;
  targets: OktaLogActor[];
  result: string;
  reason: string | null;
  detail: string | null;
  /** Sign-in flow: session and transaction ids shared with its other events. */
  flow?: number;
}

function debugData(draft: EventDraft, prng: Prng, requestId: string): Record<string, string> {
  const data: Record<string, string> = {
    requestId,
    requestUri: '/idp/idx/identify',
    url: '/idp/idx/identify?',
    threatSuspected: 'false',
  };
  if (draft.eventType.startsWith('user.mfa.factor') && draft.detail) {
    data.factor = FACTOR_DEBUG_NAMES[draft.detail] ?? draft.detail.toUpperCase();
    data.factorIntent = 'ENROLLMENT';
  }
  if (draft.eventType.endsWith('privilege.grant') && draft.detail) {
    data.privilegeGranted = ROLE_LABELS[draft.detail] ?? draft.detail;
  }
  if (draft.eventType.endsWith('privilege.revoke') && draft.detail) {
    data.privilegeRevoked = ROLE_LABELS[draft.detail] ?? draft.detail;
  }
  if (draft.eventType === 'user.session.start')
    data.behaviors = '{New Geo-Location=NEGATIVE, New Device=NEGATIVE}';
  if (draft.actor.type === 'User' && !draft.eventType.startsWith('user.session')) {
    data.requestUri = '/api/v1/users';
    data.url = `/api/v1/users?activate=true&seq=${prng.int(1, 999)}`;
  }
  return data;
}

/** One Okta-shaped event; the per-event PRNG supplies the client/network details. */
export function buildEvent(
  draft: EventDraft,
  prng: Prng,
  objectSize: ObjectSize = 'small',
): OktaLogEvent {
  const place = prng.pick(PLACES);
  const agent = prng.pick(USER_AGENTS);
  const ip = `${prng.int(20, 220)}.${prng.int(0, 255)}.${prng.int(0, 255)}.${prng.int(1, 254)}`;
  const geo: OktaGeoContext = {
    city: place.city,
    state: place.state,
    country: place.country,
    postalCode: place.postalCode,
    geolocation: { lat: place.lat, lon: place.lon },
  };
  const requestId = prng.base62(27);
  const flow = draft.flow === undefined ? null : new Prng(draft.flow);
  const sessionId = flow ? `idx${flow.base62(22)}` : null;
  const transactionId = flow ? flow.base62(27) : requestId;
  const realistic = objectSize === 'realistic';
  const failed = draft.result === 'FAILURE' || draft.result === 'DENY';
  const warn = failed || draft.eventType === 'user.account.lock';
  const isAuth =
    draft.eventType.startsWith('user.session') || draft.eventType.startsWith('user.authentication');
  return {
    uuid: draft.uuid,
    published: draft.published,
    eventType: draft.eventType,
    version: '0',
    displayMessage: DISPLAY_MESSAGES[draft.eventType] ?? draft.eventType,
    severity: warn ? 'WARN' : 'INFO',
    legacyEventType: LEGACY_TYPES[`${draft.eventType}:${draft.result}`] ?? null,
    actor: draft.actor,
    client: {
      userAgent: { rawUserAgent: agent.raw, os: agent.os, browser: agent.browser },
      zone: 'null',
      device: agent.os === 'iOS' ? 'Mobile' : 'Computer',
      id: null,
      ipAddress: ip,
      geographicalContext: geo,
    },
    device: null,
    outcome: { result: draft.result, reason: draft.reason },
    target: draft.targets,
    authenticationContext: {
      authenticationProvider: isAuth ? 'OKTA_AUTHENTICATION_PROVIDER' : null,
      credentialProvider: null,
      credentialType: draft.eventType === 'user.session.start' ? 'PASSWORD' : null,
      issuer: null,
      interface: null,
      authenticationStep: 0,
      externalSessionId: sessionId ?? (isAuth ? `idx${prng.base62(22)}` : 'unknown'),
    },
    securityContext: {
      asNumber: prng.int(1000, 65000),
      asOrg: 'example broadband',
      isp: 'example broadband',
      domain: 'example.net',
      isProxy: false,
    },
    debugContext: {
      debugData: {
        ...debugData(draft, prng, requestId),
        ...(realistic ? richDebugData(prng) : {}),
      },
    },
    transaction: { type: 'WEB', id: transactionId, detail: {} },
    request: { ipChain: realistic ? ipChain(prng, ip, geo) : [hop(ip, geo)] },
  };
}

const hop = (ip: string, geo: OktaGeoContext | null) => ({
  ip,
  geographicalContext: geo,
  version: 'V4',
  source: null,
});

/** The client, then the proxies and load balancers the request passed. */
function ipChain(prng: Prng, clientIp: string, geo: OktaGeoContext) {
  const chain = [hop(clientIp, geo)];
  for (let i = ipChainHops(prng) - 1; i > 0; i--) {
    const place = prng.pick(PLACES);
    chain.push(
      hop(`10.${prng.int(0, 255)}.${prng.int(0, 255)}.${prng.int(1, 254)}`, {
        city: place.city,
        state: place.state,
        country: place.country,
        postalCode: place.postalCode,
        geolocation: { lat: place.lat, lon: place.lon },
      }),
    );
  }
  return chain;
}

/** Full JSON of a stored entry (generated entries are rebuilt from their spec). */
export function materializeEvent(entry: LogEntry, org: SimOrg): OktaLogEvent {
  if (entry.event) return entry.event;
  const spec = entry.spec;
  if (!spec) throw new Error(`log entry ${entry.uuid} has neither event nor spec`);
  return buildEvent(
    {
      uuid: entry.uuid,
      published: new Date(entry.publishedMs).toISOString(),
      eventType: entry.eventType,
      actor: principalOf(org, spec.actorId),
      targets: spec.targetIds.map((id) => principalOf(org, id)),
      result: spec.result,
      reason: spec.reason,
      detail: spec.detail,
      ...(spec.flow === undefined ? {} : { flow: spec.flow }),
    },
    new Prng(spec.salt),
    org.objectSize,
  );
}

/**
 * An appended event: the caller's fields win over a complete default event, so
 * a test can give as little as `{ eventType }` or a whole Okta event.
 */
export function completeEvent(
  partial: Partial<OktaLogEvent>,
  uuid: string,
  published: string,
  prng: Prng,
): OktaLogEvent {
  const eventType = partial.eventType ?? 'user.session.start';
  const defaults = buildEvent(
    {
      uuid,
      published,
      eventType,
      actor: SYSTEM_ACTOR,
      targets: [],
      result: partial.outcome?.result ?? 'SUCCESS',
      reason: partial.outcome?.reason ?? null,
      detail: null,
    },
    prng,
  );
  return {
    ...defaults,
    ...partial,
    uuid: partial.uuid ?? uuid,
    published: partial.published ?? published,
    eventType,
  };
}

const STATUS_EVENTS: Partial<Record<UserStatus, string>> = {
  ACTIVE: 'user.lifecycle.activate',
  DEPROVISIONED: 'user.lifecycle.deactivate',
  SUSPENDED: 'user.lifecycle.suspend',
  LOCKED_OUT: 'user.account.lock',
  PASSWORD_EXPIRED: 'user.account.expire_password',
  RECOVERY: 'user.account.reset_password',
};

/** The event Okta writes when a user goes from one status to another. */
export function statusEvent(from: UserStatus, to: UserStatus): string | undefined {
  if (from === 'DEPROVISIONED') return 'user.lifecycle.reactivate';
  if (from === 'SUSPENDED' && to === 'ACTIVE') return 'user.lifecycle.unsuspend';
  if (from === 'LOCKED_OUT' && to === 'ACTIVE') return 'user.account.unlock';
  return STATUS_EVENTS[to];
}
