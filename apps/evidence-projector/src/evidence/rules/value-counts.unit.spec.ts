import { BSON } from 'mongodb';
import { CONTROL_IDS, CONTROLS } from './controls.registry';
import { factor, group, orgState, signIn, daysBefore, user } from './org-state.testing';
import { countValues, valueCounts } from './value-counts';

/** Okta strings that bson or MongoDB refuse as keys (docs/read-models.md). */
const HOSTILE = ['ACTIVE\u0000', '$set', 'a.b', '__proto__', ''];

/** Every object key in a JSON value, at any depth. */
function keysOf(value: unknown, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) for (const item of value) keysOf(item, out);
  else if (value && typeof value === 'object')
    for (const [key, inner] of Object.entries(value)) {
      out.add(key);
      keysOf(inner, out);
    }
  return out;
}

describe('value counts', () => {
  it('given counts in any order, when listed, then they are sorted by value', () => {
    expect(
      valueCounts(
        new Map([
          ['b', 1],
          ['A', 2],
          ['a', 3],
        ]),
      ),
    ).toEqual([
      { value: 'A', count: 2 },
      { value: 'a', count: 3 },
      { value: 'b', count: 1 },
    ]);
    expect(countValues(['x', 'y', 'x'])).toEqual([
      { value: 'x', count: 2 },
      { value: 'y', count: 1 },
    ]);
  });

  describe('given an org whose Okta strings are hostile as keys', () => {
    const state = orgState({
      users: HOSTILE.map((status, i) =>
        user(`u${i}`, {
          status: i === 0 ? 'ACTIVE' : status,
          factors: { status: 'read', items: [factor(HOSTILE[i] as string)] },
          adminRoles: { status: 'read', items: [{ type: status, assignmentType: 'USER' }] },
        }),
      ),
      groups: [group('g-everyone', { type: 'BUILT_IN', roles: HOSTILE })],
      logs: { events: [signIn('u0', daysBefore(1))] },
    });

    it.each(CONTROL_IDS)('when %s evidence is computed, then no Okta string is a key', (id) => {
      const evidence = CONTROLS[id](state);
      const keys = keysOf(evidence);
      for (const hostile of HOSTILE) expect(keys.has(hostile)).toBe(false);
      // Every key is one the rule itself names: letters, digits and hyphens only.
      for (const key of keys) expect(key).toMatch(/^[A-Za-z][A-Za-z0-9-]*$/);
      // bson would refuse a NUL byte in a key; values may hold any string.
      expect(() => BSON.serialize(evidence)).not.toThrow();
    });

    it('when access-review is computed, then each status is counted as a value', () => {
      const summary = CONTROLS['access-review'](state).summary;
      expect(summary.usersByStatusCounts).toEqual(countValues(['ACTIVE', ...HOSTILE.slice(1)]));
    });

    it('when authentication is computed, then each factor type is counted as a value', () => {
      const summary = CONTROLS.authentication(state).summary;
      expect(summary.factorTypeCounts).toEqual([{ value: 'ACTIVE\u0000', count: 1 }]);
    });

    it('when least-privilege is computed, then each role type is an entry', () => {
      const summary = CONTROLS['least-privilege'](state).summary;
      expect(summary.roleTypeCounts.map((r) => r.value)).toEqual(
        [...HOSTILE].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).filter((v) => v !== 'ACTIVE'),
      );
    });
  });
});
