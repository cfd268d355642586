import { z } from 'zod';
import {
  accessEnv,
  accessProblems,
  SHARED_SECRET_VARIABLES,
  staticSecretEnv,
  withSecretFiles,
} from '@regentra/http-auth';
import { kafkaConnectionEnv, kafkaConnectionProblems, kafkaTopicEnv } from '@regentra/kafka';
import { parseSigningKeys } from '../signing/signing-keys';

export const PROJECTOR_CONFIG = Symbol('PROJECTOR_CONFIG');

const csv = (value: string) =>
  value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);

/** SNAPSHOT_SIGNING_KEYS (see parseSigningKeys); unset or empty: a key generated at start. */
const signingKeys = z
  .string()
  .default('')
  .transform((value, ctx) => {
    const { keys, problems } = parseSigningKeys(value);
    for (const message of problems) ctx.addIssue({ code: z.ZodIssueCode.custom, message });
    return problems.length ? z.NEVER : keys;
  });

export const ProjectorEnvSchema = z.object({
  KAFKA_BROKERS: z
    .string({ required_error: 'is required (host:port[,host:port])' })
    .min(1)
    .transform(csv),
  MONGODB_URI: z
    .string({ required_error: 'is required' })
    .regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// URI'),
  PROJECTOR_DB: z.string().min(1).default('evidence'),
  /** Static bearer secret of the read API (local use; signed tokens: AUTH_JWKS_*). */
  ...staticSecretEnv('PROJECTOR_API_TOKEN'),
  ...accessEnv,
  /** The `aud` every signed token for this app must carry. */
  AUTH_AUDIENCE: z.string().min(1).default('evidence-projector'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  /** Test isolation only: prefixes every topic name (production leaves it empty). */
  KAFKA_TOPIC_PREFIX: z.string().default(''),
  KAFKA_CLIENT_ID: z.string().default('evidence-projector'),
  ...kafkaTopicEnv,
  ...kafkaConnectionEnv,
  /**
   * Publish each applied identity sync's changes to okta.changes.v1 (analytics).
   * A replay (`npm run replay`) leaves them off unless given --publish-changes.
   */
  PUBLISH_CHANGE_EVENTS: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
  /**
   * Hours without a successful System Log poll after which the controls that
   * read the log say `complete: false` (docs/read-models.md, "The System Log's coverage").
   */
  LOG_STALE_HOURS: z.coerce.number().positive().default(3),
  /** Consumer group; a replay uses its own so it never disturbs the live one. */
  PROJECTOR_GROUP_ID: z.string().min(1).default('evidence-projector'),
  /**
   * The Ed25519 keys that sign snapshot manifests: the first signs, all are
   * served at /.well-known/jwks.json (docs/read-models.md, signed snapshots).
   */
  SNAPSHOT_SIGNING_KEYS: signingKeys,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type ProjectorConfig = z.output<typeof ProjectorEnvSchema>;

export class ConfigError extends Error {}

/** Validates the environment once at boot; the message names every bad variable. */
/** Variables that may be given as `NAME_FILE` (a path) instead (README, "Running it for real": secrets from files). */
export const PROJECTOR_SECRET_VARIABLES = [
  'PROJECTOR_API_TOKEN',
  'PROJECTOR_API_TOKEN_PREVIOUS',
  'SNAPSHOT_SIGNING_KEYS',
  ...SHARED_SECRET_VARIABLES,
] as const;

export function loadProjectorConfig(rawEnv: NodeJS.ProcessEnv): ProjectorConfig {
  const files = withSecretFiles(rawEnv, PROJECTOR_SECRET_VARIABLES);
  if (files.problems.length)
    throw new ConfigError(`invalid configuration: ${files.problems.join('; ')}`);
  const parsed = ProjectorEnvSchema.safeParse(files.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const problems = [
    ...kafkaConnectionProblems(parsed.data),
    ...accessProblems(parsed.data, 'PROJECTOR_API_TOKEN'),
  ];
  if (problems.length) throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  return parsed.data;
}
