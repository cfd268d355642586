import type { IdentityEvent, IdentityEventOf } from '@regentra/contracts';
import { setUserValue, type StagedSync } from './staged-sync';
import { stagedUser, type StagedRecord } from './staged-records';
import {
  role,
  USER_DATASET_KEYS,
  USER_DATASETS,
  userDatasetRecords,
  type UserDatasetKey,
} from './user-datasets';

/**
 * The identity datasets as the projector sees them, declared once: for each,
 * the event that carries it, the staged record each event leaves (`stage`),
 * and how a staged record is indexed for assembly (`add`). The projection
 * stages pages by walking this table (`stagedRecordsOf`), the materializer
 * loads them back by it (`addStagedRecord`). The datasets read per user
 * have their rows made from `USER_DATASETS` (user-datasets.ts), which also
 * says how they are assembled into the user document and carried over or
 * replaced by an incremental sync; the collector's own
 * table (apps/okta-collector/src/identity-sync/datasets.ts) says what is
 * listed and published. docs/design.md explains how a dataset is added.
 */
interface ProjectedDataset<T extends IdentityEvent['type'], K extends StagedRecord['kind']> {
  event: T;
  kind: K;
  stage(event: IdentityEventOf<T>): Array<RecordOf<K>>;
  add(staged: StagedSync, record: RecordOf<K>): void;
}

type RecordOf<K extends StagedRecord['kind']> = Extract<StagedRecord, { kind: K }>;

/** Checks one table row: its event's payload and its record kind agree. */
const dataset = <T extends IdentityEvent['type'], K extends StagedRecord['kind']>(
  row: ProjectedDataset<T, K>,
): ProjectedDataset<T, K> => row;

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** A row of the table, its types forgotten (the lookups below pair event and record again). */
type AnyDataset = {
  event: IdentityEvent['type'];
  kind: StagedRecord['kind'];
  stage(event: IdentityEvent): StagedRecord[];
  add(staged: StagedSync, record: StagedRecord): void;
};

/** A per-user dataset's row: staged and indexed by its key (user-datasets.ts). */
function userDataset(key: UserDatasetKey): AnyDataset {
  return {
    event: USER_DATASETS[key].event,
    kind: key,
    stage: (event) => userDatasetRecords(key, event),
    add: (staged, record) => {
      if (record.kind === key) setUserValue(staged, record.kind, record.entityId, record.data);
    },
  };
}

export const PROJECTED_DATASETS = [
  dataset({
    event: 'UsersPage',
    kind: 'user',
    stage: (e) =>
      e.payload.users.map((u) => ({ kind: 'user', entityId: u.id, data: stagedUser(u) })),
    add: (staged, r) => staged.users.set(r.data.id, r.data),
  }),
  dataset({
    event: 'UsersDeleted',
    kind: 'userDeleted',
    stage: (e) =>
      e.payload.userIds.map((id) => ({ kind: 'userDeleted', entityId: id, data: { id } })),
    add: (staged, r) => staged.deletedUsers.add(r.data.id),
  }),
  // factors, roles…: each per-user dataset as its USER_DATASETS row says
  ...USER_DATASET_KEYS.map(userDataset),
  dataset({
    event: 'GroupsPage',
    kind: 'group',
    stage: (e) =>
      e.payload.groups.map((g) => ({
        kind: 'group',
        entityId: g.id,
        data: { id: g.id, name: str(g.profile?.name), type: g.type },
      })),
    add: (staged, r) => staged.groups.set(r.data.id, r.data),
  }),
  dataset({
    event: 'GroupMembers',
    kind: 'groupMembers',
    stage: (e) => [
      {
        kind: 'groupMembers',
        entityId: e.payload.groupId,
        part: e.payload.part,
        data: {
          status: e.payload.status,
          lastPart: e.payload.lastPart,
          memberIds: e.payload.memberIds,
          reason: e.payload.reason ?? null,
        },
      },
    ],
    add: (staged, r) =>
      staged.groupMembers.add(r.entityId, r.part, r.data.status, r.data.lastPart, r.data.memberIds),
  }),
  dataset({
    event: 'GroupRoles',
    kind: 'groupRoles',
    stage: (e) => [
      {
        kind: 'groupRoles',
        entityId: e.payload.groupId,
        data: {
          status: e.payload.status,
          roles: e.payload.roles.map(role),
          reason: e.payload.reason ?? null,
        },
      },
    ],
    add: (staged, r) =>
      staged.groupRoles.set(r.entityId, {
        known: r.data.status === 'read',
        types: [...new Set(r.data.roles.map((x) => x.type))].sort(),
      }),
  }),
  dataset({
    event: 'AppsPage',
    kind: 'app',
    stage: (e) =>
      e.payload.apps.map((a) => ({
        kind: 'app',
        entityId: a.id,
        data: { id: a.id, label: str(a.label), name: str(a.name), status: a.status },
      })),
    add: (staged, r) => staged.apps.set(r.data.id, r.data),
  }),
  dataset({
    event: 'AppUserAssignments',
    kind: 'appUsers',
    stage: (e) => [
      {
        kind: 'appUsers',
        entityId: e.payload.appId,
        part: e.payload.part,
        data: {
          status: e.payload.status,
          lastPart: e.payload.lastPart,
          assignments: e.payload.assignments.map((a) => ({
            userId: a.id,
            scope: a.scope ?? null,
            status: a.status ?? null,
          })),
          reason: e.payload.reason ?? null,
        },
      },
    ],
    add: (staged, r) =>
      staged.appUsers.add(r.entityId, r.part, r.data.status, r.data.lastPart, r.data.assignments),
  }),
  dataset({
    event: 'AppGroupAssignments',
    kind: 'appGroups',
    stage: (e) => [
      {
        kind: 'appGroups',
        entityId: e.payload.appId,
        part: e.payload.part,
        data: {
          status: e.payload.status,
          lastPart: e.payload.lastPart,
          groupIds: e.payload.assignments.map((a) => a.id),
          reason: e.payload.reason ?? null,
        },
      },
    ],
    add: (staged, r) =>
      staged.appGroups.add(r.entityId, r.part, r.data.status, r.data.lastPart, r.data.groupIds),
  }),
];

const rows = PROJECTED_DATASETS as unknown as AnyDataset[];
const BY_EVENT = new Map(rows.map((d) => [d.event, d]));
const BY_KIND = new Map(rows.map((d) => [d.kind, d]));

/** Pure: the staged records an identity event implies (none for bracket and progress events). */
export function stagedRecordsOf(event: IdentityEvent): StagedRecord[] {
  return BY_EVENT.get(event.type)?.stage(event) ?? [];
}

/** Indexes one staged record of a dataset; false when the record is no dataset's. */
export function addDatasetRecord(staged: StagedSync, record: StagedRecord): boolean {
  const row = BY_KIND.get(record.kind);
  row?.add(staged, record);
  return row !== undefined;
}

/** Adds one staged record, in page order (a later record of the same entity wins). */
export function addStagedRecord(staged: StagedSync, doc: StagedRecord): void {
  if (addDatasetRecord(staged, doc)) return;
  // What the projection stages of its own (the writes of a completion, for crash safety).
  switch (doc.kind) {
    case 'sweep':
      staged.sweep.set(doc.entityId, doc.data);
      break;
    case 'baseUser':
      staged.base.users.set(doc.entityId, doc.data);
      break;
    case 'baseGroup':
      staged.base.groups.set(doc.entityId, doc.data);
      break;
    case 'baseApp':
      staged.base.apps.set(doc.entityId, doc.data);
      break;
    case 'baseComplete':
      staged.base.counts = doc.data;
      break;
    case 'changes':
      staged.changes.pages.set(doc.entityId, doc.data.changes);
      break;
    case 'changesComplete':
      staged.changes.count = doc.data.count;
      break;
  }
}
