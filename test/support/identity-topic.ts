import {
  CURRENT_IDENTITY_VERSIONS,
  Draft,
  encodeMessage,
  EncodedRecord,
  IdentityEvent,
  IdentityEventOf,
  IncrementalReads,
  SyncProvenance,
  TOPICS,
  withFence,
} from '@regentra/contracts';
import { CollectedRecord } from './kafka-helpers';

/**
 * The identity and System Log topics in tests: records written the way the
 * collector writes them (current schema versions, numbered pages, fence
 * headers), and what one sync published read back off the topic. Every spec
 * that publishes sync events builds them here.
 */

/** The test clock: hour `hour` of 2026-11-01 (UTC). */
export const at = (hour: number) => new Date(Date.UTC(2026, 10, 1, hour)).toISOString();

/** A user by id, or with its status and the hour it was last updated (0). */
export type UserSpec = string | { id: string; status?: string; updated?: number };
export type Basis = { baseSyncId: string; changedSince: string } | null;

export const oktaUser = (spec: UserSpec) => {
  const { id, status = 'ACTIVE', updated = 0 } = typeof spec === 'string' ? { id: spec } : spec;
  return {
    id,
    status,
    created: at(0),
    activated: at(0),
    statusChanged: at(updated),
    lastLogin: null,
    lastUpdated: at(updated),
    profile: { login: `${id}@example.com`, email: `${id}@example.com` },
  };
};

export const factor = (id: string, factorType: string) => ({
  id,
  factorType,
  provider: 'OKTA',
  status: 'ACTIVE',
});
export type Factor = ReturnType<typeof factor>;

export interface SyncOptions {
  /** Incremental on this base; full (`daily full sync`) without one. */
  basis?: Basis;
  /** The lease fence every record carries as its `regentra-fence` header; none without. */
  fence?: number;
  trigger?: 'schedule' | 'manual';
  /** The provenance its start and completion carry; none without. */
  provenance?: SyncProvenance;
}

/** An identity event before it is encoded (what the collector's EventPublisher takes). */
export type IdentityDraft = Draft<IdentityEvent>;

/** A whole list, read in one part. */
const whole = { status: 'read', part: 0, lastPart: true } as const;

/**
 * One sync's events, numbered as the collector's SyncEventWriter numbers them
 * (Started is seq 0, each call the next seq), as drafts.
 */
function syncDrafts(
  orgId: string,
  syncId: string,
  hour: number,
  options: Omit<SyncOptions, 'fence'>,
) {
  let seq = 0;
  const requestId = `req-${syncId}`;
  const basis = options.basis ?? null;
  const mode = basis ? ('incremental' as const) : ('full' as const);
  /** What an incremental sync re-read, counted from what this one published. */
  const reads: IncrementalReads = {
    logEvents: 0,
    users: { byLastUpdated: 0, byEvent: 0 },
    factors: 0,
    groupMembers: 0,
    groupRoles: 0,
    appAssignments: 0,
  };
  const event = <T extends IdentityEvent['type']>(
    type: T,
    payload: IdentityEventOf<T>['payload'],
    numbered = true,
  ) =>
    ({
      type,
      schemaVersion: CURRENT_IDENTITY_VERSIONS[type],
      orgId,
      syncId,
      ...(numbered ? { seq: seq++ } : {}),
      payload,
    }) as unknown as Draft<IdentityEventOf<T>>;
  return {
    started: () =>
      event('IdentitySyncStarted', {
        requestId,
        trigger: options.trigger ?? 'schedule',
        startedAt: at(hour),
        oktaDomain: 'acme.okta.com',
        mode,
        fullReason: basis ? null : 'daily full sync',
        basis,
        ...(options.provenance ? { provenance: options.provenance } : {}),
      }),
    users: (users: UserSpec[]) => {
      reads.users.byLastUpdated += users.length;
      return event('UsersPage', { users: users.map(oktaUser) });
    },
    deleted: (userIds: string[]) => event('UsersDeleted', { userIds }),
    factors: (users: Array<[string, Factor[]]>) => {
      reads.factors += users.length;
      return event('UserFactorsBatch', {
        users: users.map(([userId, items]) => ({ userId, status: 'read' as const, items })),
      });
    },
    roles: (users: Array<[string, string[]]>) =>
      event('UserRolesBatch', {
        users: users.map(([userId, types]) => ({
          userId,
          status: 'read' as const,
          items: types.map((type) => ({ id: `r-${type}`, type, assignmentType: 'USER' })),
        })),
      }),
    groups: (ids: string[]) =>
      event('GroupsPage', {
        groups: ids.map((id) => ({ id, type: 'OKTA_GROUP', profile: { name: `Group ${id}` } })),
      }),
    members: (groupId: string, memberIds: string[]) => {
      reads.groupMembers += 1;
      return event('GroupMembers', { groupId, ...whole, memberIds });
    },
    groupRoles: (groupId: string, types: string[]) => {
      reads.groupRoles += 1;
      return event('GroupRoles', {
        groupId,
        status: 'read',
        roles: types.map((type) => ({ id: `gr-${type}`, type, assignmentType: 'GROUP' })),
      });
    },
    apps: (ids: string[]) =>
      event('AppsPage', {
        apps: ids.map((id) => ({ id, label: `App ${id}`, name: 'oidc', status: 'ACTIVE' })),
      }),
    appUsers: (appId: string, userIds: string[]) => {
      reads.appAssignments += 1;
      return event('AppUserAssignments', {
        appId,
        ...whole,
        assignments: userIds.map((id) => ({ id, scope: 'USER', status: 'ACTIVE' })),
      });
    },
    appGroups: (appId: string, groupIds: string[]) =>
      event('AppGroupAssignments', {
        appId,
        ...whole,
        assignments: groupIds.map((id) => ({ id })),
      }),
    progress: (phase: string) => event('IdentitySyncProgress', { phase, done: {} }),
    /**
     * `lastSeq` defaults to the seq before this event, as the collector sets
     * it; an incremental sync's `reads` count what it published, `logEvents`
     * and any other figure as given.
     */
    completed: (
      given: {
        lastSeq?: number;
        counts?: Record<string, number>;
        reads?: Partial<IncrementalReads>;
        coverage?: Record<string, { read: number; failed: number }>;
      } = {},
    ) =>
      event('IdentitySyncCompleted', {
        requestId,
        completedAt: at(hour + 1),
        counts: given.counts ?? {},
        coverage: given.coverage ?? {},
        lastSeq: given.lastSeq ?? seq - 1,
        mode,
        basis,
        reads: basis ? { ...structuredClone(reads), ...given.reads } : null,
        ...(options.provenance ? { provenance: options.provenance } : {}),
      }),
    /** The sync failed: Okta answered 503 after retries. */
    failed: () =>
      event('IdentitySyncFailed', {
        requestId,
        failedAt: at(hour + 1),
        reason: 'okta_unavailable',
        retryable: true,
        message: 'Okta answered 503',
      }),
    /** What the next lease holder publishes, unnumbered, at `hour` for a run it found orphaned. */
    abandoned: () =>
      event(
        'IdentitySyncFailed',
        {
          requestId,
          failedAt: at(hour),
          reason: 'abandoned',
          retryable: true,
          message: 'the instance running this sync stopped (collector-old)',
        },
        false,
      ),
  };
}

type SyncDrafts = ReturnType<typeof syncDrafts>;
type SyncRecords = {
  [K in keyof SyncDrafts]: (...args: Parameters<SyncDrafts[K]>) => EncodedRecord;
};

/** One sync's records, numbered as the collector numbers them, each with the fence if one is given. */
export function syncOf(
  orgId: string,
  syncId: string,
  hour: number,
  options: SyncOptions = {},
): SyncRecords {
  const drafts = syncDrafts(orgId, syncId, hour, options);
  const encode = (draft: IdentityDraft): EncodedRecord => {
    const record = encodeMessage(TOPICS.identity, draft);
    return options.fence === undefined ? record : withFence(record, options.fence);
  };
  return Object.fromEntries(
    Object.entries(drafts).map(([name, build]) => [
      name,
      (...args: unknown[]) => encode((build as (...a: unknown[]) => IdentityDraft)(...args)),
    ]),
  ) as SyncRecords;
}

/** The same events as drafts, for a spec that publishes through the collector's EventPublisher. */
export const syncDraftsOf = syncDrafts;

/** A ConnectionStateChanged (no sync, no fence): once the status shows `changedAt`, the records before it were handled. */
export const connected = (orgId: string, changedAt: string): EncodedRecord =>
  encodeMessage(TOPICS.identity, {
    type: 'ConnectionStateChanged',
    schemaVersion: CURRENT_IDENTITY_VERSIONS.ConnectionStateChanged,
    orgId,
    payload: { state: 'connected', changedAt },
  });

/** One raw System Log event at `hour`, by `actor` (admin-9), on users and groups (`g…`). */
export const logEvent = (
  uuid: string,
  eventType: string,
  hour: number,
  targets: string[] = [],
  { actor = 'admin-9', ok = true }: { actor?: string; ok?: boolean } = {},
) => ({
  uuid,
  published: at(hour),
  eventType,
  actor: { id: actor, type: 'User' },
  outcome: { result: ok ? 'SUCCESS' : 'FAILURE' },
  target: targets.map((id) => ({ id, type: id.startsWith('g') ? 'UserGroup' : 'User' })),
});

/** One System Log poll (poll-1) at `hour` that published `events`. */
export function logPoll(
  orgId: string,
  hour: number,
  events: Array<ReturnType<typeof logEvent>>,
): EncodedRecord[] {
  // seq as the collector numbers them: the completion's seq says one batch came before it
  let seq = 0;
  const poll = (type: string, payload: object) =>
    encodeMessage(TOPICS.systemLog, {
      type,
      schemaVersion: 1,
      orgId,
      syncId: 'poll-1',
      seq: seq++,
      payload,
    } as never);
  const published = events.map((e) => e.published).sort();
  return [
    poll('SystemLogPollStarted', { requestId: 'p1', startedAt: at(hour), mode: 'polling' }),
    poll('SystemLogBatch', { events }),
    poll('SystemLogPollCompleted', {
      requestId: 'p1',
      completedAt: at(hour),
      published: events.length,
      duplicatesDropped: 0,
      oldestPublished: published[0] ?? null,
      newestPublished: published.at(-1) ?? null,
      mode: 'polling',
    }),
  ];
}

/** Identity events of one sync, in topic order, from records read off the topic. */
export function eventsOfSync(records: CollectedRecord[], syncId: string): IdentityEvent[] {
  return records
    .map((r) => r.json as IdentityEvent)
    .filter((e) => e && e.syncId === syncId)
    .sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
}

/** What one sync published, reassembled independently of the projector. */
export function reassemble(events: IdentityEvent[]) {
  const users = new Map<string, { status: string }>();
  const factors = new Map<string, { status: string; count: number }>();
  const groups = new Set<string>();
  const members = new Map<string, Set<string>>();
  const apps = new Set<string>();
  const appUsers = new Map<string, Array<{ userId: string; scope: string | null | undefined }>>();
  const roles = new Map<string, string[]>();
  for (const e of events) {
    if (e.type === 'UsersPage')
      for (const u of e.payload.users) users.set(u.id, { status: u.status });
    if (e.type === 'UserFactorsBatch')
      for (const u of e.payload.users)
        factors.set(u.userId, {
          status: u.status,
          count: u.status === 'read' ? u.items.length : -1,
        });
    if (e.type === 'UserRolesBatch')
      for (const u of e.payload.users)
        roles.set(u.userId, u.status === 'read' ? u.items.map((r) => r.type) : []);
    if (e.type === 'GroupsPage') for (const g of e.payload.groups) groups.add(g.id);
    if (e.type === 'GroupMembers') {
      const set = members.get(e.payload.groupId) ?? new Set<string>();
      for (const id of e.payload.memberIds) set.add(id);
      members.set(e.payload.groupId, set);
    }
    if (e.type === 'AppsPage') for (const a of e.payload.apps) apps.add(a.id);
    if (e.type === 'AppUserAssignments') {
      const list = appUsers.get(e.payload.appId) ?? [];
      list.push(...e.payload.assignments.map((a) => ({ userId: a.id, scope: a.scope })));
      appUsers.set(e.payload.appId, list);
    }
  }
  return { users, factors, groups, members, apps, appUsers, roles };
}
