import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import {
  describeKafkaStartupError,
  kafkaConnectionEnv,
  kafkaConnectionOptions,
  kafkaConnectionProblems,
  KafkaStartupError,
} from './kafka-connection';

const schema = z.object(kafkaConnectionEnv);

describe('Kafka connection settings', () => {
  it('is plaintext when nothing is set', () => {
    const config = schema.parse({});
    expect(config.KAFKA_SSL).toBe(false);
    expect(kafkaConnectionProblems(config)).toEqual([]);
    expect(kafkaConnectionOptions(config)).toEqual({});
  });

  it('reads a CA file for KAFKA_SSL and passes SCRAM credentials to kafkajs', () => {
    const caFile = join(mkdtempSync(join(tmpdir(), 'ca-')), 'ca.pem');
    writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n');
    const config = schema.parse({
      KAFKA_SSL: caFile,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'app',
      KAFKA_SASL_PASSWORD: 's3cret',
    });
    expect(kafkaConnectionProblems(config)).toEqual([]);
    expect(kafkaConnectionOptions(config)).toEqual({
      ssl: { ca: [expect.stringContaining('BEGIN CERTIFICATE')] },
      sasl: { mechanism: 'scram-sha-512', username: 'app', password: 's3cret' },
    });
    expect(kafkaConnectionOptions(schema.parse({ KAFKA_SSL: 'true' }))).toEqual({ ssl: true });
  });

  it('names the setting: a missing CA file, a mechanism without credentials or without TLS', () => {
    expect(() => schema.parse({ KAFKA_SSL: '/nonexistent/ca.pem' })).toThrow(/no file at/);
    expect(() => schema.parse({ KAFKA_SASL_MECHANISM: 'gssapi' })).toThrow();
    expect(kafkaConnectionProblems(schema.parse({ KAFKA_SASL_MECHANISM: 'plain' }))).toEqual([
      'KAFKA_SASL_USERNAME is required with KAFKA_SASL_MECHANISM',
      'KAFKA_SASL_PASSWORD is required with KAFKA_SASL_MECHANISM',
      expect.stringMatching(/^KAFKA_SSL must be set/),
    ]);
    expect(kafkaConnectionProblems(schema.parse({ KAFKA_SASL_USERNAME: 'a' }))).toEqual([
      expect.stringMatching(/^KAFKA_SASL_MECHANISM is required/),
    ]);
  });

  it('turns a refused password into one line naming the settings, without the password', () => {
    const config = schema.parse({
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'scram-sha-256',
      KAFKA_SASL_USERNAME: 'app',
      KAFKA_SASL_PASSWORD: 'hunter2',
    });
    const refused = Object.assign(new Error('SASL SCRAM SHA256 authentication failed'), {
      name: 'KafkaJSSASLAuthenticationError',
    });
    const error = describeKafkaStartupError(refused, config);
    expect(error).toBeInstanceOf(KafkaStartupError);
    expect(error.message).toMatch(/KAFKA_SASL_PASSWORD/);
    expect(error.message).not.toContain('hunter2');
    expect(error.message).not.toContain('\n');
    expect(describeKafkaStartupError(new Error('self-signed certificate'), config).message).toMatch(
      /check KAFKA_SSL/,
    );
    expect(
      describeKafkaStartupError(new Error('Connection error: connect ECONNREFUSED'), config)
        .message,
    ).toMatch(/check KAFKA_BROKERS/);
  });
});
