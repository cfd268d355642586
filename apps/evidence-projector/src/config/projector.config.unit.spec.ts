import { loadProjectorConfig } from './projector.config';

describe('projector configuration', () => {
  it('defaults the database and port', () => {
    const config = loadProjectorConfig({ KAFKA_BROKERS: 'k:9092', MONGODB_URI: 'mongodb://m' });
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
  });
});
