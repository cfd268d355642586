import { IdentityEvent } from '@regentra/contracts';
import { FencedRecord, judgeFences } from './identity-fence.filter';

/** Only orgId, syncId and type matter to the judgement. */
const rec = (
  id: string,
  orgId: string,
  syncId: string | undefined,
  fence: number | null,
): FencedRecord & {
  id: string;
} => ({
  id,
  fence,
  message: { orgId, syncId, type: 'UsersPage' } as IdentityEvent,
});
const ids = (records: Array<{ id: string }>) => records.map((r) => r.id);

describe('judgeFences (pure)', () => {
  it('admits records without a fence and raises nothing for them', () => {
    const judged = judgeFences([rec('a', 'o1', 's1', null)], new Map([['o1', 9]]));
    expect(ids(judged.admitted)).toEqual(['a']);
    expect(judged.raised.size).toBe(0);
  });

  it('admits equal and higher fences, ignores lower ones, per org, in log order', () => {
    const batch = [
      rec('a', 'o1', 's1', 5),
      rec('b', 'o1', 's1', 5), // the same holder's next record (or a redelivery): fine
      rec('c', 'o2', 'x1', 2), // another org: its own fences
      rec('d', 'o1', 's1', 6), // the new holder reports s1 abandoned
      rec('e', 'o1', 's1', 5), // the old holder, late: superseded
      rec('f', 'o1', 's2', 5), // the old holder starting another sync: superseded too
      rec('g', 'o1', 's3', 6),
      rec('h', 'o2', 'x1', 2),
    ];
    const judged = judgeFences(batch, new Map([['o1', 4]]));
    expect(ids(judged.admitted)).toEqual(['a', 'b', 'c', 'd', 'g', 'h']);
    expect(judged.superseded.map((s) => [s.record.id, s.highest])).toEqual([
      ['e', 6],
      ['f', 6],
    ]);
    expect([...judged.raised]).toEqual([
      ['o1', 6],
      ['o2', 2],
    ]);
  });

  it('judges by what was recorded before the batch', () => {
    const judged = judgeFences([rec('a', 'o1', 's1', 5)], new Map([['o1', 6]]));
    expect(judged.admitted).toEqual([]);
    expect(judged.superseded.map((s) => s.highest)).toEqual([6]);
    expect(judged.raised.size).toBe(0);
  });

  const log = [
    rec('1', 'o1', 's1', 3),
    rec('2', 'o1', 's1', 3),
    rec('3', 'o1', 's1', 4),
    rec('4', 'o1', 's1', 3),
    rec('5', 'o1', undefined, null), // ConnectionStateChanged: no sync, no fence
    rec('6', 'o1', 's2', 4),
    rec('7', 'o1', 's9', 2),
    rec('8', 'o1', 's3', 5),
    rec('9', 'o1', 's2', 4),
  ];

  /** Judges `log` in batches of `size`, recording each batch's raise after it, as the router does. */
  function consume(size: number): string[] {
    const known = new Map<string, number>();
    const admitted: string[] = [];
    for (let i = 0; i < log.length; i += size) {
      const judged = judgeFences(log.slice(i, i + size), known);
      admitted.push(...ids(judged.admitted));
      for (const [org, fence] of judged.raised) known.set(org, fence);
    }
    return admitted;
  }

  it('gives the same result however the log is cut into batches (replay from offset 0)', () => {
    const once = consume(log.length);
    expect(once).toEqual(['1', '2', '3', '5', '6', '8']);
    for (const size of [1, 2, 3, 4]) expect(consume(size)).toEqual(once);
  });

  it('redelivery after the raise was stored skips only records admitted the first time', () => {
    const first = judgeFences(log, new Map());
    const again = judgeFences(log, first.raised); // the batch's fence stored, its commit lost
    expect(ids(again.admitted)).toEqual(['5', '8']); // no fence, and the highest fence itself
    for (const id of ids(again.admitted)) expect(ids(first.admitted)).toContain(id);
    expect(again.raised.size).toBe(0);
  });
});
