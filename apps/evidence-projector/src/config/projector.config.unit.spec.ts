import { loadProjectorConfig } from './projector.config';

describe('projector configuration', () => {
  it('defaults the database and port', () => {
    const config = loadProjectorConfig({
      KAFKA_BROKERS: 'k:9092',
      MONGODB_URI: 'mongodb://m',
      PROJECTOR_API_TOKEN: 'p'.repeat(16),
    });
    expect(config).toMatchObject({
      PROJECTOR_DB: 'evidence',
      PORT: 3001,
      KAFKA_BROKERS: ['k:9092'],
    });
  });

  it('names every missing variable', () => {
    expect(() => loadProjectorConfig({})).toThrow(
      /KAFKA_BROKERS is required.*MONGODB_URI is required/,
    );
    expect(() =>
      loadProjectorConfig({ KAFKA_BROKERS: 'k:9092', MONGODB_URI: 'mongodb://m' }),
    ).toThrow(
      /PROJECTOR_API_TOKEN is required unless signed tokens are configured \(AUTH_JWKS_FILE or AUTH_JWKS_URL\)/,
    );
    expect(() =>
      loadProjectorConfig({
        KAFKA_BROKERS: 'k:9092',
        MONGODB_URI: 'mongodb://m',
        PROJECTOR_API_TOKEN: 'short',
      }),
    ).toThrow(/PROJECTOR_API_TOKEN must be at least 16 characters/);
  });

  it('keeps topic history by default and refuses a retention that would lose it quickly', () => {
    const base = {
      KAFKA_BROKERS: 'k:9092',
      MONGODB_URI: 'mongodb://m',
      PROJECTOR_API_TOKEN: 'p'.repeat(16),
    };
    expect(loadProjectorConfig(base)).toMatchObject({
      KAFKA_HISTORY_RETENTION_MS: -1,
      KAFKA_TRANSIENT_RETENTION_MS: 14 * 86_400_000,
    });
    expect(
      loadProjectorConfig({ ...base, KAFKA_HISTORY_RETENTION_MS: String(400 * 86_400_000) })
        .KAFKA_HISTORY_RETENTION_MS,
    ).toBe(400 * 86_400_000);
    expect(() => loadProjectorConfig({ ...base, KAFKA_HISTORY_RETENTION_MS: '60000' })).toThrow(
      /KAFKA_HISTORY_RETENTION_MS must be -1/,
    );
  });

  it('takes signed tokens instead of the static secret, and two secrets during a rotation', () => {
    const base = { KAFKA_BROKERS: 'k:9092', MONGODB_URI: 'mongodb://m' };
    const jwt = loadProjectorConfig({
      ...base,
      AUTH_JWKS_URL: 'https://regentra.example/jwks.json',
    });
    expect(jwt).toEqual(
      expect.objectContaining({ AUTH_ISSUER: 'regentra', AUTH_AUDIENCE: 'evidence-projector' }),
    );
    const rotating = loadProjectorConfig({
      ...base,
      PROJECTOR_API_TOKEN: 'new-secret-0123456789',
      PROJECTOR_API_TOKEN_PREVIOUS: 'old-secret-0123456789',
    });
    expect(rotating.PROJECTOR_API_TOKEN_PREVIOUS).toBe('old-secret-0123456789');
    expect(() =>
      loadProjectorConfig({
        ...base,
        PROJECTOR_API_TOKEN_PREVIOUS: 'old-secret-0123456789',
        AUTH_JWKS_FILE: '/j',
      }),
    ).toThrow(/PROJECTOR_API_TOKEN_PREVIOUS needs PROJECTOR_API_TOKEN/);
    expect(() =>
      loadProjectorConfig({ ...base, AUTH_JWKS_FILE: '/j', AUTH_JWKS_URL: 'https://x/j' }),
    ).toThrow(/AUTH_JWKS_FILE or AUTH_JWKS_URL, not both/);
    expect(() =>
      loadProjectorConfig({ ...base, AUTH_JWKS_URL: 'http://regentra.example/j' }),
    ).toThrow(/AUTH_JWKS_URL must be an https:\/\/ URL/);
  });
});
