import type { ObjectSize } from './realistic-size';
import { SimFaults } from './faults';
import { GroundTruth } from './ground-truth';
import { OktaLogEvent } from './log-model';
import { SimOrg } from './model';
import { AppliedChange } from './random-changes';
import { LinkHeaderStyle } from './pagination';
import { BucketName } from './rate-limiter';

export interface OktaSimOptions {
  /** 0/undefined = a random free port. */
  port?: number;
  /** Bind address; default 127.0.0.1. */
  host?: string;
  /** Default 1; same seed, size and `now` => byte-identical org. */
  seed?: number;
  /** Default 200. */
  users?: number;
  /** Default max(5, users/30). */
  groups?: number;
  /** Default max(3, users/60). */
  apps?: number;
  /** The only accepted SSWS token; default DEMO_TOKEN. */
  token?: string;
  /** Per-window limits per bucket; defaults = Okta's Workforce limits. */
  rateLimits?: Partial<Record<BucketName, number>>;
  /** Default 60000. */
  rateWindowMs?: number;
  /** Default 0, added to every API response (also `faults.latencyMs`). */
  latencyMs?: number;
  /** Initial System Log size; default users*3. */
  logEvents?: number;
  /** Clock of generated timestamps, mutations and log retention (default: real clock). */
  now?: () => Date;
  /** Role of the token owner (`/users/me`); default READ_ONLY_ADMIN. */
  tokenOwnerRole?: string;
  /** Simultaneous requests before a concurrency 429; default 75. */
  concurrencyLimit?: number;
  /** How Link headers are written; default `mixed` (alternates separate headers and one joined line). */
  linkHeaderStyle?: LinkHeaderStyle;
  /** `/.well-known/okta-organization` pipeline; default idx. */
  pipeline?: 'idx' | 'v1';
  /**
   * `small` (default): the compact objects of the demo org. `realistic`: the
   * sizes of real customers' objects (custom profile attributes, mapped app
   * profiles, full System Log context; see realistic-size.ts and README).
   */
  objectSize?: ObjectSize;
  /** Grow the System Log with background events (sign-ins…) every `intervalMs`. */
  autoGrowLogs?: { intervalMs: number; eventsPerTick?: number };
}

export interface RequestLogEntry {
  /** Epoch ms the request arrived. */
  at: number;
  method: string;
  /** Path without the query string. */
  path: string;
  /** Query string including `?`, or ''. */
  query: string;
  /** Answer status; 0 while pending, for hangs and for reset sockets. */
  status: number;
  bucket: BucketName;
}

export interface OktaSim {
  url: string;
  hostPort: string;
  token: string;
  org: SimOrg;
  faults: SimFaults;
  /** Per-endpoint call counts keyed like `GET /api/v1/users/{id}/factors` (every attempt, whatever the answer). */
  calls(): Record<string, number>;
  /** Answers per HTTP status, e.g. `{ '200': 51, '429': 3 }`. */
  statusCounts(): Record<string, number>;
  requestLog(): RequestLogEntry[];
  resetCounters(): void;
  groundTruth(): GroundTruth;
  // Changes to the org: each writes the System Log events Okta writes for it
  // (README, "Changes and the events they log"). Unknown ids throw SimNotFoundError.
  deactivateUser(id: string): void;
  /** Any status, logged with the event of that transition; bumps lastUpdated and statusChanged. */
  setUserStatus(id: string, status: string): void;
  /** ACTIVE → SUSPENDED. */
  suspendUser(id: string): void;
  /** SUSPENDED → ACTIVE. */
  unsuspendUser(id: string): void;
  /** DEPROVISIONED → PROVISIONED (`user.lifecycle.reactivate`). */
  reactivateUser(id: string): void;
  /** Hard delete of a DEPROVISIONED user (not the token owner): gone from every answer. */
  deleteUser(id: string): void;
  enrollFactor(userId: string, factorType: string, status?: string): string;
  /** Removes one factor (`user.mfa.factor.deactivate`); by an admin unless `byUser`. */
  removeFactor(userId: string, factorId: string, opts?: { byUser?: boolean }): void;
  resetFactors(userId: string): void;
  addGroupMember(groupId: string, userId: string): void;
  removeGroupMember(groupId: string, userId: string): void;
  /** Hard delete of a group (not Everyone): its memberships, roles and app assignments go. */
  deleteGroup(groupId: string): void;
  /** Assigns a user to an app directly (scope USER); a no-op if already direct. */
  assignAppUser(appId: string, userId: string): void;
  /** Removes a direct (scope USER) assignment. */
  unassignAppUser(appId: string, userId: string): void;
  /** Assigns a group to an app: its members get the app with scope GROUP. */
  assignAppGroup(appId: string, groupId: string, priority?: number): void;
  unassignAppGroup(appId: string, groupId: string): void;
  activateApp(appId: string): void;
  deactivateApp(appId: string): void;
  /** Hard delete of an INACTIVE app: its assignments go. */
  deleteApp(appId: string): void;
  /** Returns the role assignment id. */
  grantUserRole(userId: string, roleType: string): string;
  revokeUserRole(userId: string, roleIdOrType: string): void;
  /** Returns the role assignment id. */
  grantGroupRole(groupId: string, roleType: string): string;
  revokeGroupRole(groupId: string, roleIdOrType: string): void;
  /** `count` reproducible random valid changes of every kind (random-changes.ts). */
  applyRandomChanges(seed: number, count: number): AppliedChange[];
  /** Returns the uuids of the appended events. */
  appendLogEvents(events: Array<Partial<OktaLogEvent>>, opts?: { visibleAt?: Date }): string[];
  /** Changes a bucket's limit at run time. */
  setRateLimit(bucket: BucketName, limit: number): void;
  /** Per bucket, the most requests one of its rate-limit windows counted (refused ones included). */
  rateWindowPeaks(): Partial<Record<BucketName, number>>;
  /** Per bucket, the limit the org enforces. */
  rateLimits(): Record<BucketName, number>;
  close(): Promise<void>;
}

/** What the HTTP control API drives (a subset of OktaSim). */
export type SimControlTarget = Omit<OktaSim, 'url' | 'hostPort' | 'token' | 'org' | 'close'>;
