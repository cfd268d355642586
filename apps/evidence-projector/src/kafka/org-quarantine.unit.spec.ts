import { lagOf } from './lag-probe';
import { recordsByOrg } from './org-quarantine';

const record = (orgId: string, offset: string) => ({
  message: { orgId, type: 'UsersPage' },
  partition: 0,
  offset,
});

describe('recordsByOrg', () => {
  it('given interleaved orgs, then each org keeps its records in log order, orgs in first-seen order', () => {
    const byOrg = recordsByOrg([
      record('b', '1'),
      record('a', '2'),
      record('b', '3'),
      record('a', '4'),
    ]);
    expect([...byOrg.keys()]).toEqual(['b', 'a']);
    expect(byOrg.get('b')?.map((r) => r.offset)).toEqual(['1', '3']);
    expect(byOrg.get('a')?.map((r) => r.offset)).toEqual(['2', '4']);
  });
});

describe('lagOf', () => {
  it('given a committed offset, then the records after it', () => {
    expect(lagOf(40, 0, 100)).toBe(60);
  });
  it('given nothing committed yet, then every record still on the partition', () => {
    expect(lagOf(-1, 10, 100)).toBe(90);
  });
  it('given a committed offset at the end, then 0, never negative', () => {
    expect(lagOf(100, 0, 100)).toBe(0);
    expect(lagOf(120, 0, 100)).toBe(0);
  });
});
