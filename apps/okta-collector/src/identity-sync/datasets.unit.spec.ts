import { CoverageSchema, CURRENT_IDENTITY_VERSIONS, IdentityEvent } from '@regentra/contracts';
import { z } from 'zod';
import { emptyChangePlan } from './change-plan';
import {
  ChangeContext,
  DATASET_KEYS,
  DatasetKey,
  emptyCounts,
  emptyCoverage,
  emptyUnread,
  IDENTITY_DATASETS,
  PER_USER_KEYS,
} from './datasets';
import { OF_LISTED_USERS } from './per-user-reader';
import { OktaBucket } from '../okta-client/rate-limiter';

const BUCKETS: Array<[DatasetKey, OktaBucket]> = [
  ['users', 'users-list'],
  ['groups', 'groups'],
  ['apps', 'apps'],
  ['factors', 'other'],
  ['roleAssignees', 'other'],
  ['userRoles', 'other'],
  ['groupMembers', 'groups'],
  ['groupRoles', 'groups'],
  ['appUsers', 'apps'],
  ['appGroups', 'apps'],
];

describe('the identity datasets', () => {
  it.each(BUCKETS)('given %s, then its call spends the %s bucket', (key, bucket) => {
    expect(IDENTITY_DATASETS[key].bucket).toBe(bucket);
  });

  it('given every dataset, then each has a bucket case above and a coverage entry', () => {
    expect(BUCKETS.map(([key]) => key).sort()).toEqual([...DATASET_KEYS].sort());
    expect([...DATASET_KEYS].sort()).toEqual(Object.keys(emptyCoverage()).sort());
    expect(DATASET_KEYS).toHaveLength(10);
    expect(Object.keys(emptyUnread()).sort()).toEqual([...DATASET_KEYS].sort());
  });

  it('given empty coverage and counts, then the published schemas accept them', () => {
    const coverage = emptyCoverage();
    expect(Object.values(coverage)).toEqual(DATASET_KEYS.map(() => ({ read: 0, failed: 0 })));
    expect(z.record(CoverageSchema).parse(coverage)).toEqual(coverage);
    expect(Object.values(emptyCounts()).every((n) => n === 0)).toBe(true);
  });

  it('given a dataset whose unread objects are re-read by id, then it is read per object or read by id (users)', () => {
    for (const key of DATASET_KEYS) {
      const { per, unread, incremental } = IDENTITY_DATASETS[key];
      if (unread === 'reread') expect(per !== null || key === 'users').toBe(true);
      // a dataset whose unread objects are relisted is relisted by every incremental sync
      if (unread === 'relisted') expect(incremental.kind).toBe('relisted');
    }
  });

  it('given each dataset that publishes, then it names a record type of the contracts', () => {
    const published: Array<IdentityEvent['type'] | null> = DATASET_KEYS.map(
      (key) => IDENTITY_DATASETS[key].publishes,
    );
    expect(published.filter((type) => type === null)).toHaveLength(1);
    expect(IDENTITY_DATASETS.roleAssignees.publishes).toBeNull();
  });

  it('given the per-user datasets, then each is read per user with one call and publishes a batch of the contracts', () => {
    expect(PER_USER_KEYS).toEqual(['factors', 'userRoles']);
    expect(OF_LISTED_USERS).toEqual(['factors']);
    for (const key of PER_USER_KEYS) {
      const { call, per, publishes, perUser } = IDENTITY_DATASETS[key];
      expect(per).toBe('user');
      expect(call).toMatch(/^GET \/api\/v1\/users\/\{id\}\/[a-z-]+$/);
      expect(Object.keys(CURRENT_IDENTITY_VERSIONS)).toContain(publishes);
      expect(perUser.item.safeParse({ id: 'x' }).success).toBe(false);
    }
    expect(IDENTITY_DATASETS.factors.perUser.counts).toBe('factors');
    expect(IDENTITY_DATASETS.userRoles.perUser.counts).toBeNull();
  });

  it('given a change plan, then each per-user dataset names the users its events name', () => {
    const plan = emptyChangePlan();
    plan.factorUsers.add('00u-f');
    plan.roleUsers.add('00u-r');
    expect([...IDENTITY_DATASETS.factors.perUser.named(plan)]).toEqual(['00u-f']);
    expect([...IDENTITY_DATASETS.userRoles.perUser.named(plan)]).toEqual(['00u-r']);
  });

  describe('when an incremental sync re-reads a sub-resource', () => {
    const change = (over: Partial<ChangeContext> = {}): ChangeContext => ({
      plan: emptyChangePlan(),
      since: (at) => typeof at === 'string' && at > '2031-03-04T00:00:00Z',
      baseRoleHolders: new Set(['00u-admin']),
      ...over,
    });
    const old = { id: '00u-old', created: '2030-01-01T00:00:00Z' };

    it('given an old user no event names, then its factors are not re-read; given a new or named one, then they are', () => {
      const rule = IDENTITY_DATASETS.factors.incremental.rereads;
      expect(rule(old, change())).toBe(false);
      expect(rule({ ...old, created: '2031-03-04T01:00:00Z' }, change())).toBe(true);
      const c = change();
      c.plan.factorUsers.add(old.id);
      expect(rule(old, c)).toBe(true);
    });

    it('given a holder of the base, then its roles are not re-read; given a new holder or unknown holders, then they are', () => {
      const rule = IDENTITY_DATASETS.userRoles.incremental.rereads;
      expect(rule({ id: '00u-admin' }, change())).toBe(false);
      expect(rule({ id: '00u-new' }, change())).toBe(true);
      expect(rule({ id: '00u-admin' }, change({ baseRoleHolders: null }))).toBe(true);
    });

    it('given a deleted group (no event names the apps), then every app is re-read', () => {
      const c = change();
      expect(IDENTITY_DATASETS.appUsers.incremental.rereads({ id: '0oa1' }, c)).toBe(false);
      c.plan.everyApp = true;
      expect(IDENTITY_DATASETS.appUsers.incremental.rereads({ id: '0oa1' }, c)).toBe(true);
      expect(IDENTITY_DATASETS.appGroups.incremental.rereads({ id: '0oa1' }, c)).toBe(true);
    });
  });
});
