import { claimSize } from './rate-budget.service';

describe('claimSize', () => {
  it('claims a quarter of the cell cap for a lone taker, rounded up', () => {
    expect(claimSize(22, 1)).toBe(6);
    expect(claimSize(5, 1)).toBe(2);
  });

  it('claims one slot where the cap allows one', () => {
    expect(claimSize(1, 1)).toBe(1);
    expect(claimSize(0, 0)).toBe(1);
  });

  it('claims for every waiting taker when they outnumber the quarter', () => {
    expect(claimSize(22, 9)).toBe(9);
  });
});
