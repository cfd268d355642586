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
      /KAFKA_BROKERS is required.*MONGODB_URI is required.*PROJECTOR_API_TOKEN is required/,
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
});
