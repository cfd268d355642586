import { z } from 'zod';
import {
  accessEnv,
  accessProblems,
  SHARED_SECRET_VARIABLES,
  staticSecretEnv,
  withSecretFiles,
} from '@regentra/http-auth';
import { kafkaConnectionEnv, kafkaConnectionProblems, kafkaTopicEnv } from '@regentra/kafka';

/** DI token of the validated configuration. */
export const COLLECTOR_CONFIG = Symbol('COLLECTOR_CONFIG');

const csv = (value: string) =>
  value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);

const encryptionKeys = z
  .string({ required_error: 'is required (keyId:base64-32-bytes[,keyId:…])' })
  .transform((value, ctx) => {
    const keys: Array<{ id: string; key: Buffer }> = [];
    for (const entry of csv(value)) {
      const [id, material, ...rest] = entry.split(':');
      const key = Buffer.from(material ?? '', 'base64');
      if (
        !id ||
        !material ||
        rest.length > 0 ||
        key.length !== 32 ||
        !/^[A-Za-z0-9_-]+$/.test(id)
      ) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: `entry "${id ?? ''}:…" must be keyId:base64 of exactly 32 bytes`,
        });
        return z.NEVER;
      }
      // sealing uses the first key of an id, opening the last: new tokens would not open
      if (keys.some((k) => k.id === id)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `names key id "${id}" twice` });
        return z.NEVER;
      }
      keys.push({ id, key });
    }
    if (keys.length === 0) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'needs at least one key' });
      return z.NEVER;
    }
    return keys;
  });

const int = (fallback: number, min = 1, max = 1_000_000) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

export const CollectorEnvSchema = z.object({
  KAFKA_BROKERS: z
    .string({ required_error: 'is required (host:port[,host:port])' })
    .min(1)
    .transform(csv),
  MONGODB_URI: z
    .string({ required_error: 'is required' })
    .regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// URI'),
  COLLECTOR_DB: z.string().min(1).default('okta_collector'),
  ...staticSecretEnv('COLLECTOR_API_TOKEN'),
  ...accessEnv,
  /** The `aud` every signed token for this app must carry. */
  AUTH_AUDIENCE: z.string().min(1).default('okta-collector'),
  TOKEN_ENCRYPTION_KEYS: encryptionKeys,
  OKTA_ALLOW_INSECURE_HOSTS: z.string().default('').transform(csv),
  /** Test/demo only: `host:port` list of fake custom domains over http (okta-domain.ts). */
  OKTA_INSECURE_CUSTOM_DOMAINS: z.string().default('').transform(csv),
  PORT: int(3000, 0, 65535),
  /** Test isolation only: prefixes every topic name (production leaves it empty). */
  KAFKA_TOPIC_PREFIX: z.string().default(''),
  KAFKA_CLIENT_ID: z.string().default('okta-collector'),
  ...kafkaTopicEnv,
  ...kafkaConnectionEnv,
  /** Concurrent syncs of different orgs in this instance. */
  SYNC_CONCURRENCY: int(4, 1, 64),
  /** Concurrent Okta requests per org (bounded; the rate limiter paces them). */
  OKTA_CONCURRENCY: int(8, 1, 64),
  /** Share of each Okta rate-limit window a sync may use (Okta allows one token 50 %). */
  OKTA_RATE_LIMIT_SHARE: z.coerce.number().gt(0).max(1).default(0.45),
  /**
   * `shared` (default): every activity of an org on every instance spends one
   * budget per Okta bucket, kept in MongoDB (docs/schedules-and-ordering.md, "One rate budget per
   * org"); `local`: each Okta client paces itself on the response headers only.
   */
  OKTA_RATE_BUDGET: z.enum(['shared', 'local']).default('shared'),
  /** Length of Okta's rate-limit windows (60 s); the shared budget's grid is cut from it. */
  OKTA_RATE_WINDOW_MS: int(60_000, 500, 3_600_000),
  /**
   * Overall deadline of one Okta HTTP attempt, response headers and whole body
   * (a body dripped byte by byte never trips the idle timeouts). Exceeding it
   * is a transient failure, retried, then the sync fails as okta_unavailable.
   */
  OKTA_CALL_DEADLINE_MS: int(60_000, 100, 600_000),
  /** Largest Okta response body accepted (aborted while streaming): 20 MiB. */
  OKTA_MAX_RESPONSE_BYTES: int(20 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
  /** Most pages one Okta listing may take; also a `next` link seen twice fails the listing. */
  OKTA_MAX_PAGES_PER_LISTING: int(50_000, 1, 10_000_000),
  /**
   * Longest a sync waits for an Okta rate-limit window to reset; a
   * X-Rate-Limit-Reset further ahead fails the sync as rate_limited.
   */
  OKTA_MAX_RATE_LIMIT_WAIT_MS: int(5 * 60_000, 1_000, 3_600_000),
  /**
   * `incremental` (default): after a complete full sync, identity syncs read
   * only what changed (docs/schedules-and-ordering.md, "Incremental identity syncs"); `full` reads
   * everything every time.
   */
  IDENTITY_SYNC_MODE: z.enum(['incremental', 'full']).default('incremental'),
  /** UTC hours whose scheduled identity sync is a full one (comma list). */
  IDENTITY_FULL_SYNC_HOURS_UTC: z
    .string()
    .default('0')
    .transform(csv)
    .pipe(z.array(z.coerce.number().int().min(0).max(23))),
  /** A full identity sync at least this often, whatever the schedule. */
  IDENTITY_FULL_SYNC_MAX_AGE_HOURS: int(25, 1, 24 * 30),
  /** Changes are read from the base sync's start minus this (Okta's eventual consistency, late log events). */
  INCREMENTAL_OVERLAP_MINUTES: int(10, 0, 24 * 60),
  /** Lease time of an org sync lock; renewed while running, taken over after a crash. */
  SYNC_LEASE_MS: int(60_000, 1_000),
  /**
   * A request whose run was abandoned (its collector died) runs again on its
   * own; after this many abandoned runs it fails instead of looping.
   */
  SYNC_MAX_INTERRUPTIONS: int(3, 1, 100),
  /**
   * How often a running sync checks that its connection was not deleted or
   * replaced on another instance (a DELETE on this instance stops it at once).
   */
  SYNC_CANCEL_CHECK_MS: int(2_000, 100, 60_000),
  /**
   * On SIGTERM, how long the collector waits for its runs to stop at a page
   * boundary, publish their `shutdown` failure and re-queue their requests.
   */
  SHUTDOWN_GRACE_MS: int(25_000, 0, 600_000),
  SCHEDULER_ENABLED: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** First System Log poll of an org reaches this far back (Okta keeps 90 days). */
  LOG_BACKFILL_DAYS: int(7, 1, 90),
  /** `evidence` = the event types that feed controls; `all` = every event. */
  LOG_EVENT_TYPES: z.enum(['evidence', 'all']).default('evidence'),
  /** When Okta rejects a stored cursor, restart this many minutes before the last published event. */
  LOG_FALLBACK_OVERLAP_MINUTES: int(15, 0, 1440),
  /** How many recent event uuids per org the poller remembers to drop repeats. */
  LOG_DEDUPE_WINDOW: int(10_000, 100, 100_000),
});

export type CollectorConfig = z.output<typeof CollectorEnvSchema>;

export class ConfigError extends Error {}

/** Validates the environment once at boot; the message names every bad variable. */
/** Variables that may be given as `NAME_FILE` (a path) instead (README, "Running it for real": secrets from files). */
export const COLLECTOR_SECRET_VARIABLES = [
  'COLLECTOR_API_TOKEN',
  'COLLECTOR_API_TOKEN_PREVIOUS',
  'TOKEN_ENCRYPTION_KEYS',
  ...SHARED_SECRET_VARIABLES,
] as const;

export function loadCollectorConfig(rawEnv: NodeJS.ProcessEnv): CollectorConfig {
  const files = withSecretFiles(rawEnv, COLLECTOR_SECRET_VARIABLES);
  if (files.problems.length)
    throw new ConfigError(`invalid configuration: ${files.problems.join('; ')}`);
  const parsed = CollectorEnvSchema.safeParse(files.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const problems = [
    ...kafkaConnectionProblems(parsed.data),
    ...accessProblems(parsed.data, 'COLLECTOR_API_TOKEN'),
  ];
  if (problems.length) throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  return parsed.data;
}
