import { CELLS_PER_WINDOW, cellCap, cellMs, cellOf } from './shared-budget';

describe('the shared budget grid', () => {
  it.each([1, 7, 19, 20, 22, 45, 540, 901])(
    'lets any %i-share window of any alignment see at most the share',
    (allowed) => {
      const span = CELLS_PER_WINDOW + 2;
      for (let first = 1_000_000; first < 1_000_000 + 3 * span; first += 1) {
        let sum = 0;
        for (let cell = first; cell < first + span; cell += 1) sum += cellCap(allowed, cell);
        expect(sum).toBe(allowed);
      }
    },
  );

  it('puts a time in one cell of windowMs / CELLS_PER_WINDOW', () => {
    const windowMs = 60_000;
    expect(cellMs(windowMs) * CELLS_PER_WINDOW).toBe(windowMs);
    const start = 1_000 * cellMs(windowMs);
    expect(cellOf(start, windowMs)).toBe(1_000);
    expect(cellOf(start + cellMs(windowMs) - 1, windowMs)).toBe(1_000);
    expect(cellOf(start + cellMs(windowMs), windowMs)).toBe(1_001);
  });
});
