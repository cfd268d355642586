import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadCollectorConfig } from './collector.config';

const valid = {
  KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.1:9093',
  MONGODB_URI: 'mongodb://127.0.0.1:27017',
  COLLECTOR_API_TOKEN: 'a-long-enough-service-token',
  TOKEN_ENCRYPTION_KEYS: `new:${randomBytes(32).toString('base64')},old:${randomBytes(32).toString('base64')}`,
};

describe('collector configuration', () => {
  it('parses a valid environment with defaults', () => {
    const config = loadCollectorConfig(valid);
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092', '127.0.0.1:9093']);
    expect(config.COLLECTOR_DB).toBe('okta_collector');
    expect(config.PORT).toBe(3000);
    expect(config.TOKEN_ENCRYPTION_KEYS.map((k) => k.id)).toEqual(['new', 'old']);
    expect(config.OKTA_ALLOW_INSECURE_HOSTS).toEqual([]);
  });

  it.each([
    ['KAFKA_BROKERS', { KAFKA_BROKERS: undefined }],
    ['MONGODB_URI', { MONGODB_URI: 'postgres://x' }],
    ['COLLECTOR_API_TOKEN', { COLLECTOR_API_TOKEN: 'short' }],
    ['TOKEN_ENCRYPTION_KEYS', { TOKEN_ENCRYPTION_KEYS: undefined }],
    [
      'TOKEN_ENCRYPTION_KEYS',
      { TOKEN_ENCRYPTION_KEYS: `k1:${randomBytes(16).toString('base64')}` },
    ],
    ['PORT', { PORT: 'eighty' }],
    ['KAFKA_PARTITIONS', { KAFKA_PARTITIONS: '0' }],
    ['KAFKA_TOPIC_PARTITIONS', { KAFKA_TOPIC_PARTITIONS: 'okta.nope.v1=3' }],
    ['KAFKA_TOPIC_PARTITIONS', { KAFKA_TOPIC_PARTITIONS: 'okta.identity.v1=zero' }],
  ])('names %s when it is wrong', (name, override) => {
    expect(() => loadCollectorConfig({ ...valid, ...override })).toThrow(
      new RegExp(`invalid configuration: .*${name}`),
    );
  });

  it('refuses a key id named twice, naming the variable and the id', () => {
    const [a, b] = [randomBytes(32).toString('base64'), randomBytes(32).toString('base64')];
    const attempt = () =>
      loadCollectorConfig({ ...valid, TOKEN_ENCRYPTION_KEYS: `k1:${a},k2:${b},k1:${b}` });
    expect(attempt).toThrow(
      /invalid configuration: .*TOKEN_ENCRYPTION_KEYS.*names key id "k1" twice/,
    );
    expect(attempt).toThrow(expect.objectContaining({ message: expect.not.stringContaining(b) }));
  });

  it('reads secrets from NAME_FILE and refuses both forms at once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'collector-secrets-'));
    const keys = `k9:${randomBytes(32).toString('base64')}`;
    writeFileSync(join(dir, 'keys'), `${keys}\n`);
    writeFileSync(join(dir, 'token'), 'a-long-enough-token-from-a-file\n');
    const { TOKEN_ENCRYPTION_KEYS: _k, COLLECTOR_API_TOKEN: _t, ...rest } = valid;
    const config = loadCollectorConfig({
      ...rest,
      TOKEN_ENCRYPTION_KEYS_FILE: join(dir, 'keys'),
      COLLECTOR_API_TOKEN_FILE: join(dir, 'token'),
    });
    expect(config.TOKEN_ENCRYPTION_KEYS.map((k) => k.id)).toEqual(['k9']);
    expect(config.COLLECTOR_API_TOKEN).toBe('a-long-enough-token-from-a-file');
    expect(() =>
      loadCollectorConfig({ ...valid, TOKEN_ENCRYPTION_KEYS_FILE: join(dir, 'keys') }),
    ).toThrow(
      /invalid configuration: TOKEN_ENCRYPTION_KEYS_FILE: set TOKEN_ENCRYPTION_KEYS or TOKEN_ENCRYPTION_KEYS_FILE, not both/,
    );
    expect(() =>
      loadCollectorConfig({
        ...rest,
        COLLECTOR_API_TOKEN: 'x'.repeat(20),
        TOKEN_ENCRYPTION_KEYS_FILE: join(dir, 'none'),
      }),
    ).toThrow(/TOKEN_ENCRYPTION_KEYS_FILE: cannot read .*none \(ENOENT\)/);
  });

  it('never echoes key material in its error', () => {
    const secret = randomBytes(16).toString('base64');
    expect(() => loadCollectorConfig({ ...valid, TOKEN_ENCRYPTION_KEYS: `k1:${secret}` })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(secret) }),
    );
  });
});
