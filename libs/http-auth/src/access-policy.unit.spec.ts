import { Action, Principal } from './actions';
import { actionsOf, decide, orgScopeOf } from './access-policy';

const principal = (orgs: Principal['orgs'], actions: Action[]): Principal => ({
  subject: 'someone',
  via: 'jwt',
  orgs,
  actions: new Set(actions),
});

describe('decide', () => {
  it('given a token for org A with evidence:read, when it reads org A, then it is allowed', () => {
    expect(decide(principal(['org-a'], ['evidence:read']), 'evidence:read', 'org-a')).toEqual({
      allowed: true,
    });
  });
  it('given a token for org A, when it reads org B, then it is refused naming org B', () => {
    expect(decide(principal(['org-a'], ['evidence:read']), 'evidence:read', 'org-b')).toEqual({
      allowed: false,
      reason: 'the token does not cover org org-b',
    });
  });
  it('given a read token, when it writes a connection, then it is refused naming the action', () => {
    expect(
      decide(principal(['org-a'], ['evidence:read', 'status:read']), 'connection:write', 'org-a'),
    ).toEqual({ allowed: false, reason: 'the token does not allow connection:write' });
  });
  it('given a token for a list of orgs, when it reads the fleet (no org in the path), then it is refused', () => {
    expect(decide(principal(['org-a', 'org-b'], ['fleet:read']), 'fleet:read', undefined)).toEqual(
      expect.objectContaining({ allowed: false }),
    );
  });
  it('given an operator token (orgs "*"), when it reads any org or the fleet, then it is allowed', () => {
    const operator = principal('*', ['fleet:read', 'status:read']);
    expect(decide(operator, 'fleet:read', undefined).allowed).toBe(true);
    expect(decide(operator, 'status:read', 'anything').allowed).toBe(true);
    expect(decide(operator, 'evidence:read', 'anything').allowed).toBe(false);
  });
  it('compares org ids exactly (no case folding, no prefix)', () => {
    const token = principal(['acme'], ['evidence:read']);
    for (const other of ['ACME', 'acme ', 'acm', 'acme-corp'])
      expect(decide(token, 'evidence:read', other).allowed).toBe(false);
  });
});

describe('claims', () => {
  it('orgs: one id, a list or "*"; anything else is refused', () => {
    expect(orgScopeOf('acme')).toEqual(['acme']);
    expect(orgScopeOf(['a', 'b'])).toEqual(['a', 'b']);
    expect(orgScopeOf('*')).toBe('*');
    for (const bad of [undefined, '', [], ['a', '*'], [1], { a: 1 }, 7])
      expect(orgScopeOf(bad)).toBeUndefined();
  });
  it('scope: space-separated; unknown names grant nothing; none known is refused', () => {
    expect([...(actionsOf('evidence:read status:read') ?? [])]).toEqual([
      'evidence:read',
      'status:read',
    ]);
    expect([...(actionsOf('evidence:read okta.users.manage') ?? [])]).toEqual(['evidence:read']);
    expect(actionsOf('okta.users.manage')).toBeUndefined();
    expect(actionsOf(['evidence:read'])).toBeUndefined();
  });
});
