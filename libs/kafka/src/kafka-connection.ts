import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { Kafka, logLevel, SASLOptions } from 'kafkajs';

/**
 * How the apps reach a managed Kafka: TLS (`KAFKA_SSL`: `true` for the system
 * trust store, or the path of a CA file) and SASL (`KAFKA_SASL_MECHANISM`
 * plain / scram-sha-256 / scram-sha-512 with a username and password). Unset:
 * plaintext, for a local broker only. Spread into each app's config schema.
 */
export const kafkaConnectionEnv = {
  KAFKA_SSL: z
    .string()
    .optional()
    .transform((value, ctx): false | true | { caFile: string } => {
      if (value === undefined || value === '' || value === 'false') return false;
      if (value === 'true') return true;
      if (!existsSync(value)) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: `must be true, false or the path of a CA file; no file at ${value}`,
        });
        return z.NEVER;
      }
      return { caFile: value };
    }),
  KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  /** A secret: never logged, never in an error message. */
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
};

export interface KafkaConnectionConfig {
  KAFKA_SSL: false | true | { caFile: string };
  KAFKA_SASL_MECHANISM?: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  KAFKA_SASL_USERNAME?: string;
  KAFKA_SASL_PASSWORD?: string;
}

/** Settings that are valid alone but not together (each app's loader reports them with the rest). */
export function kafkaConnectionProblems(config: KafkaConnectionConfig): string[] {
  const problems: string[] = [];
  const {
    KAFKA_SASL_MECHANISM: mechanism,
    KAFKA_SASL_USERNAME: user,
    KAFKA_SASL_PASSWORD: pass,
  } = config;
  if (mechanism && !user)
    problems.push(`KAFKA_SASL_USERNAME is required with KAFKA_SASL_MECHANISM`);
  if (mechanism && !pass)
    problems.push(`KAFKA_SASL_PASSWORD is required with KAFKA_SASL_MECHANISM`);
  if (!mechanism && (user || pass))
    problems.push(
      'KAFKA_SASL_MECHANISM is required with KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD',
    );
  if (mechanism && config.KAFKA_SSL === false)
    problems.push(
      'KAFKA_SSL must be set with KAFKA_SASL_MECHANISM (credentials are never sent in the clear)',
    );
  return problems;
}

/** The kafkajs `ssl` and `sasl` options of a validated configuration. */
export function kafkaConnectionOptions(config: KafkaConnectionConfig): {
  ssl?: boolean | { ca: string[] };
  sasl?: SASLOptions;
} {
  const ssl =
    config.KAFKA_SSL === false
      ? undefined
      : config.KAFKA_SSL === true
        ? true
        : { ca: [readFileSync(config.KAFKA_SSL.caFile, 'utf8')] };
  const mechanism = config.KAFKA_SASL_MECHANISM;
  const username = config.KAFKA_SASL_USERNAME ?? '';
  const password = config.KAFKA_SASL_PASSWORD ?? '';
  const sasl = mechanism ? ({ mechanism, username, password } as SASLOptions) : undefined;
  return { ...(ssl ? { ssl } : {}), ...(sasl ? { sasl } : {}) };
}

/** A start-up failure an operator fixes in the environment: one line, naming the setting. */
export class KafkaStartupError extends Error {}

/**
 * Turns kafkajs' first-connection failure into a line that names the setting
 * to check. Never includes the password.
 */
export function describeKafkaStartupError(error: unknown, config: KafkaConnectionConfig): Error {
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
  const text = `${message} ${cause?.code ?? ''} ${cause?.message ?? ''}`;
  if (name === 'KafkaJSSASLAuthenticationError' || /SASL|authenticat/i.test(message))
    return new KafkaStartupError(
      `Kafka refused the credentials: check KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD (mechanism ${config.KAFKA_SASL_MECHANISM ?? 'none'}): ${message}`,
    );
  if (/certificate|self[- ]signed|SSL|TLS|EPROTO|ERR_SSL/i.test(text))
    return new KafkaStartupError(
      `Kafka TLS failed: check KAFKA_SSL (a CA file that signs the broker's certificate): ${message}`,
    );
  if (/ECONNREFUSED|ENOTFOUND|Connection error|connect/i.test(text))
    return new KafkaStartupError(
      `Kafka could not be reached: check KAFKA_BROKERS (and KAFKA_SSL for a TLS listener): ${message}`,
    );
  return error instanceof Error ? error : new Error(message);
}

/**
 * Connects once with the app's settings before the app starts, quietly, so a
 * refused password, an untrusted certificate or an unreachable broker ends
 * start-up with one line (KafkaStartupError) instead of retries and stack traces.
 */
export async function preflightKafka(
  config: KafkaConnectionConfig & { KAFKA_BROKERS: string[]; KAFKA_CLIENT_ID: string },
): Promise<void> {
  const admin = new Kafka({
    clientId: `${config.KAFKA_CLIENT_ID}-preflight`,
    brokers: config.KAFKA_BROKERS,
    logLevel: logLevel.NOTHING,
    retry: { retries: 3, initialRetryTime: 300, maxRetryTime: 3_000 },
    ...kafkaConnectionOptions(config),
  }).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
  } catch (error) {
    throw describeKafkaStartupError(error, config);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
