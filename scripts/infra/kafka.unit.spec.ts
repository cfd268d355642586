import { newClusterId } from './kafka';

describe('newClusterId', () => {
  // A leading '-' made the storage tool fail with "expected one argument" (1 start in 64).
  it('never starts with a dash and is 16 bytes of base64url', () => {
    for (let i = 0; i < 5_000; i++) {
      const id = newClusterId();
      expect(id.startsWith('-')).toBe(false);
      expect(Buffer.from(id, 'base64url')).toHaveLength(16);
    }
  });
});
