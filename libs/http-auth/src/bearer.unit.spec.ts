import { bearerMatches } from './index';

describe('bearerMatches', () => {
  const expected = Buffer.from('s3cret-token-0123456789');
  it('accepts exactly the token as a Bearer credential', () => {
    expect(bearerMatches('Bearer s3cret-token-0123456789', expected)).toBe(true);
  });
  it('refuses a missing header, another scheme, a prefix, a longer or a wrong token', () => {
    for (const header of [
      undefined,
      '',
      's3cret-token-0123456789',
      'Basic s3cret-token-0123456789',
      'Bearer s3cret-token-012345678',
      'Bearer s3cret-token-01234567890',
      'Bearer S3cret-token-0123456789',
    ])
      expect(bearerMatches(header, expected)).toBe(false);
  });
});
