import { OktaApp, OktaGroup, OktaLogEvent, OktaUser } from './okta-objects';
import { oversizedReason } from './record-size';

/*
 * ★ Trimmed copies of Okta objects too large for any record. A page event has
 * no "unknown" status, and dropping an object is not an option (a user missing
 * from a completed sync reads as removed), so the object travels with only the
 * fields evidence reads, marked with `regentraTrimmed`. The schemas keep extra
 * fields (`passthrough`), so the marker needs no new schema version.
 */

/** Marker on a trimmed copy: why, and how large the original was. */
export interface TrimmedMarker {
  originalBytes: number;
  reason: string;
}

export const TRIMMED_MARKER_FIELD = 'regentraTrimmed';

function pick(source: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
}

function marker(originalBytes: number, maxBytes?: number): { regentraTrimmed: TrimmedMarker } {
  return { regentraTrimmed: { originalBytes, reason: oversizedReason(originalBytes, maxBytes) } };
}

const USER_FIELDS = [
  'id',
  'status',
  'created',
  'activated',
  'statusChanged',
  'lastLogin',
  'lastUpdated',
  'passwordChanged',
  'type',
] as const;
const USER_PROFILE_FIELDS = ['login', 'email', 'firstName', 'lastName'] as const;

/** A user with its status, dates, type and profile login/email/names only. */
export function trimUser(user: OktaUser, originalBytes: number, maxBytes?: number): OktaUser {
  const profile = user.profile ? pick(user.profile, USER_PROFILE_FIELDS) : undefined;
  return {
    ...(pick(user, USER_FIELDS) as OktaUser),
    ...(profile ? { profile } : {}),
    ...marker(originalBytes, maxBytes),
  };
}

/** A group with its type, dates and profile name/description only. */
export function trimGroup(group: OktaGroup, originalBytes: number, maxBytes?: number): OktaGroup {
  const profile = group.profile ? pick(group.profile, ['name', 'description']) : undefined;
  return {
    ...(pick(group, [
      'id',
      'type',
      'created',
      'lastUpdated',
      'lastMembershipUpdated',
    ]) as OktaGroup),
    ...(profile ? { profile } : {}),
    ...marker(originalBytes, maxBytes),
  };
}

/** An app with its name, label, status, sign-on mode and dates only. */
export function trimApp(app: OktaApp, originalBytes: number, maxBytes?: number): OktaApp {
  return {
    ...(pick(app, [
      'id',
      'name',
      'label',
      'status',
      'signOnMode',
      'created',
      'lastUpdated',
    ]) as OktaApp),
    ...marker(originalBytes, maxBytes),
  };
}

const LOG_EVENT_FIELDS = [
  'uuid',
  'published',
  'eventType',
  'severity',
  'actor',
  'target',
  'outcome',
  'authenticationContext',
  'transaction',
] as const;

/**
 * A System Log event with what the log facts read (who, what, on what, the
 * outcome, the session and transaction), without debugContext, client and
 * request. If even that is too large, `minimal` keeps uuid, published and
 * eventType.
 */
export function trimLogEvent(
  event: OktaLogEvent,
  originalBytes: number,
  maxBytes?: number,
  minimal = false,
): OktaLogEvent {
  const fields = minimal ? LOG_EVENT_FIELDS.slice(0, 3) : LOG_EVENT_FIELDS;
  return { ...(pick(event, fields) as OktaLogEvent), ...marker(originalBytes, maxBytes) };
}
