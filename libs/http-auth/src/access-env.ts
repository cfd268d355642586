import { z } from 'zod';
import type { AccessSettings } from './authenticator';

const isLoopback = (url: URL) => ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);

/** The access-control variables both apps read (docs/http-api.md, "Access control"). */
export const accessEnv = {
  /** A JWKS file of the Regentra backend's token-signing public keys (re-read when it changes). */
  AUTH_JWKS_FILE: z.string().min(1).optional(),
  /** Or the URL the backend serves it at (https; http only on loopback). */
  AUTH_JWKS_URL: z
    .string()
    .url()
    .refine((value) => {
      const url = new URL(value);
      return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url));
    }, 'must be an https:// URL (http:// only on loopback)')
    .optional(),
  /** The `iss` every signed token must carry. */
  AUTH_ISSUER: z.string().min(1).default('regentra'),
  /** The longest a signed token may live (`exp - iat`), seconds. */
  AUTH_MAX_TOKEN_TTL_S: z.coerce.number().int().min(60).max(86_400).default(3600),
  /** Append the audit lines to this file instead of stdout. */
  AUDIT_LOG_FILE: z.string().min(1).optional(),
};

const staticSecret = z.string().min(16, 'must be at least 16 characters').optional();

/** `<NAME>` (current) and `<NAME>_PREVIOUS` (still valid during a rotation). */
export function staticSecretEnv<N extends string>(name: N) {
  return { [name]: staticSecret, [`${name}_PREVIOUS`]: staticSecret } as Record<
    N | `${N}_PREVIOUS`,
    typeof staticSecret
  >;
}

type AccessEnv = z.output<z.ZodObject<typeof accessEnv>>;

/** Problems with the combination, each naming its variable. */
export function accessProblems(
  env: AccessEnv & Record<string, unknown>,
  secretName: string,
): string[] {
  const problems: string[] = [];
  if (env.AUTH_JWKS_FILE && env.AUTH_JWKS_URL)
    problems.push('AUTH_JWKS_URL: set AUTH_JWKS_FILE or AUTH_JWKS_URL, not both');
  if (!env[secretName] && !env.AUTH_JWKS_FILE && !env.AUTH_JWKS_URL)
    problems.push(
      `${secretName} is required unless signed tokens are configured (AUTH_JWKS_FILE or AUTH_JWKS_URL)`,
    );
  if (env[`${secretName}_PREVIOUS`] && !env[secretName])
    problems.push(`${secretName}_PREVIOUS needs ${secretName} (the new secret) beside it`);
  if (env[secretName] && env[secretName] === env[`${secretName}_PREVIOUS`])
    problems.push(`${secretName}_PREVIOUS is the same as ${secretName}`);
  return problems;
}

/** The Authenticator's settings from a validated config. */
export function accessSettingsOf(
  env: AccessEnv & Record<string, unknown>,
  secretName: string,
  audience: string,
): AccessSettings {
  const staticSecrets = [secretName, `${secretName}_PREVIOUS`].flatMap((name) =>
    typeof env[name] === 'string' ? [{ name, value: env[name] as string }] : [],
  );
  const jwks = env.AUTH_JWKS_FILE
    ? { file: env.AUTH_JWKS_FILE }
    : env.AUTH_JWKS_URL
      ? { url: env.AUTH_JWKS_URL }
      : undefined;
  return {
    staticSecrets,
    ...(jwks ? { jwks } : {}),
    issuer: env.AUTH_ISSUER,
    audience,
    maxTokenTtlS: env.AUTH_MAX_TOKEN_TTL_S,
  };
}
