import { CURRENT_IDENTITY_VERSIONS, IdentityEvent } from '@regentra/contracts';
import { PROJECTED_DATASETS, stagedRecordsOf } from './datasets';
import type { OktaUserDocument } from './okta-user.document';
import { addStagedRecord, emptyStagedSync } from './org-assembly';
import { emptyUserDatasets } from './staged-sync';
import { USER_DATASET_KEYS, USER_DATASETS } from './user-datasets';

/** Events that bracket or describe a sync: they carry no records of a dataset. */
const NOT_DATASETS = [
  'IdentitySyncStarted',
  'IdentitySyncProgress',
  'IdentitySyncCompleted',
  'IdentitySyncFailed',
  'ConnectionStateChanged',
];

describe('the projector dataset table', () => {
  it('given every identity event type, then each one is a dataset of the table or a bracket event', () => {
    const events = Object.keys(CURRENT_IDENTITY_VERSIONS).sort();
    const declared = [...PROJECTED_DATASETS.map((d) => d.event), ...NOT_DATASETS].sort();
    expect(declared).toEqual(events);
  });

  it('gives each dataset a record kind of its own', () => {
    const kinds = PROJECTED_DATASETS.map((d) => d.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
  });

  it('given a factors batch, when staged and loaded back, then each user has what the event said', () => {
    const event = {
      type: 'UserFactorsBatch',
      payload: {
        users: [
          {
            userId: 'u1',
            status: 'read',
            items: [{ id: 'f1', factorType: 'push', status: 'ACTIVE' }],
          },
          { userId: 'u2', status: 'unknown', reason: 'forbidden' },
        ],
      },
    } as unknown as IdentityEvent;
    const staged = emptyStagedSync();
    for (const record of stagedRecordsOf(event)) addStagedRecord(staged, record);
    expect(staged.factors.get('u1')).toEqual({
      status: 'read',
      items: [{ id: 'f1', factorType: 'push', status: 'ACTIVE', provider: null }],
    });
    expect(staged.factors.get('u2')).toEqual({ status: 'unknown', reason: 'forbidden' });
  });

  it('given a roles batch, when staged and loaded back, then each user has the roles as kept, under the kind roles', () => {
    const event = {
      type: 'UserRolesBatch',
      payload: {
        users: [
          {
            userId: 'u1',
            status: 'read',
            items: [{ id: 'r1', type: 'ORG_ADMIN', status: 'ACTIVE', assignmentType: 'USER' }],
          },
          { userId: 'u2', status: 'unknown', reason: 'forbidden' },
        ],
      },
    } as unknown as IdentityEvent;
    const records = stagedRecordsOf(event);
    expect(records.map((r) => [r.kind, r.entityId])).toEqual([
      ['roles', 'u1'],
      ['roles', 'u2'],
    ]);
    const staged = emptyStagedSync();
    for (const record of records) addStagedRecord(staged, record);
    expect(staged.roles.get('u1')).toEqual({
      status: 'read',
      items: [{ type: 'ORG_ADMIN', label: null, assignmentType: 'USER' }],
    });
    expect(staged.roles.get('u2')).toEqual({ status: 'unknown', reason: 'forbidden' });
    expect(staged.factors.size).toBe(0);
  });

  it('gives every per-user dataset a row of the table, its key as record kind', () => {
    for (const key of USER_DATASET_KEYS) {
      const row = PROJECTED_DATASETS.find((d) => d.kind === key);
      expect(row?.event).toBe(USER_DATASETS[key].event);
    }
    expect(USER_DATASET_KEYS).toEqual(['factors', 'roles']);
  });

  it('given a bracket event, then it stages no records', () => {
    expect(stagedRecordsOf({ type: 'IdentitySyncStarted' } as unknown as IdentityEvent)).toEqual(
      [],
    );
  });

  it('gives every per-user dataset a map of its own in an empty staged sync', () => {
    expect(Object.keys(emptyUserDatasets()).sort()).toEqual([...USER_DATASET_KEYS].sort());
    expect(USER_DATASET_KEYS.every((key) => emptyStagedSync()[key] instanceof Map)).toBe(true);
  });

  it('carries a user document group-held role as no direct role (assembled again from the group)', () => {
    const doc = {
      adminRoles: { status: 'read', items: [{ type: 'ORG_ADMIN', assignmentType: 'GROUP' }] },
    } as unknown as OktaUserDocument;
    expect(USER_DATASETS.roles.carried(doc)).toBeNull();
    expect(
      USER_DATASETS.roles.reread({
        status: 'read',
        items: [{ type: 'APP_ADMIN', assignmentType: 'USER' }],
      }),
    ).toEqual({ status: 'read', items: [{ type: 'APP_ADMIN', assignmentType: 'USER' }] });
  });
});
