import { inspect } from 'node:util';
import { Secret } from './secret';

describe('Secret', () => {
  const token = '00abcDEFsecretTOKENvalue123';
  it('never shows its value except through reveal()', () => {
    const s = new Secret(token);
    expect(s.reveal()).toBe(token);
    expect(String(s)).toBe('[redacted]');
    expect(`${s}`).toBe('[redacted]');
    expect(JSON.stringify({ s })).toBe('{"s":"[redacted]"}');
    expect(inspect(s)).toBe('[redacted]');
    expect(inspect({ nested: { s } }, { depth: 5 })).not.toContain(token);
    expect(Object.keys(s)).toEqual([]);
  });
  it('refuses empty values', () => {
    expect(() => new Secret('')).toThrow(TypeError);
  });
});
