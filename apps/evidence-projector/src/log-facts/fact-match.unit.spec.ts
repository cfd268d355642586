import { latestMatching } from './fact-match';
import type { LogFact } from './log-event.document';

const fact = (
  uuid: string,
  eventType: string,
  published: string,
  targetIds: string[],
  outcome = 'SUCCESS',
): LogFact => ({ uuid, eventType, published, targetIds, outcome, actorId: 'admin' });

const window = { after: '2026-01-01T00:00:00.000Z', through: '2026-01-01T04:00:00.000Z' };
const add = { eventTypes: ['group.user_membership.add'], targets: ['u1', 'g1'] };

describe('latest matching System Log fact', () => {
  it('takes the latest successful fact of a wanted type naming every wanted target', () => {
    const facts = [
      fact('a', 'group.user_membership.add', '2026-01-01T01:00:00.000Z', ['u1', 'g1']),
      fact('b', 'group.user_membership.add', '2026-01-01T02:00:00.000Z', ['u1', 'g1']),
      fact('c', 'group.user_membership.add', '2026-01-01T03:00:00.000Z', ['u1', 'g1'], 'FAILURE'),
      fact('d', 'group.user_membership.add', '2026-01-01T03:30:00.000Z', ['u1', 'g2']),
      fact('e', 'group.user_membership.remove', '2026-01-01T03:40:00.000Z', ['u1', 'g1']),
    ];
    expect(latestMatching(facts, [add, null], window).map((f) => f?.uuid ?? null)).toEqual([
      'b',
      null,
    ]);
  });

  it('keeps to the window: after its start (exclusive), up to its end (inclusive)', () => {
    const at = (uuid: string, published: string) =>
      fact(uuid, 'group.user_membership.add', published, ['u1', 'g1']);
    expect(latestMatching([at('start', window.after)], [add], window)).toEqual([null]);
    expect(latestMatching([at('end', window.through)], [add], window)[0]?.uuid).toBe('end');
    expect(latestMatching([at('late', '2026-01-01T04:00:00.001Z')], [add], window)).toEqual([null]);
    expect(
      latestMatching([at('early', '2025-12-01T00:00:00.000Z')], [add], {
        ...window,
        after: null,
      })[0]?.uuid,
    ).toBe('early');
  });

  it('breaks a tie on published by uuid, whatever the order of the facts', () => {
    const same = '2026-01-01T02:00:00.000Z';
    const facts = [
      fact('x', 'group.user_membership.add', same, ['u1', 'g1']),
      fact('y', 'group.user_membership.add', same, ['g1', 'u1']),
    ];
    expect(latestMatching(facts, [add], window)[0]?.uuid).toBe('y');
    expect(latestMatching([...facts].reverse(), [add], window)[0]?.uuid).toBe('y');
  });
});
