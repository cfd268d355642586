import { readFileSync } from 'node:fs';

/**
 * Secrets from files (Docker/Kubernetes secrets): for each named variable,
 * `NAME_FILE=/run/secrets/…` holds its value instead of `NAME` itself, so no
 * secret sits in the environment of a compose file or in `docker inspect`.
 * One trailing newline is dropped (what `echo` and most editors leave).
 * Returns the environment with the values filled in, and the problems found:
 * both forms set, or a file that cannot be read. Problems name the variable
 * and the path, never the content.
 */
export function withSecretFiles(
  env: NodeJS.ProcessEnv,
  names: readonly string[],
): { env: NodeJS.ProcessEnv; problems: string[] } {
  const out: NodeJS.ProcessEnv = { ...env };
  const problems: string[] = [];
  for (const name of names) {
    const path = env[`${name}_FILE`];
    if (path === undefined || path === '') continue;
    if (env[name] !== undefined && env[name] !== '') {
      problems.push(`${name}_FILE: set ${name} or ${name}_FILE, not both`);
      continue;
    }
    try {
      out[name] = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      problems.push(`${name}_FILE: cannot read ${path} (${code})`);
    }
  }
  return { env: out, problems };
}

/** The variables that may come from a file in both apps (each app adds its own). */
export const SHARED_SECRET_VARIABLES = ['MONGODB_URI', 'KAFKA_SASL_PASSWORD'] as const;
