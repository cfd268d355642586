import { execFileSync, spawnSync } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Downloads and builds live here, outside the work tree, so reruns are fast. */
export function cacheDir(): string {
  return process.env.REGENTRA_CACHE_DIR ?? join(homedir(), '.cache', 'regentra-okta');
}

const INSTALL_HINTS: Record<string, string> = {
  java: 'install a Java 17+ JDK (Debian: apt-get install openjdk-17-jdk-headless)',
  mvn: 'install Apache Maven (Debian: apt-get install maven)',
  go: 'install Go 1.24+ (https://go.dev/dl or Debian golang-go)',
};

export class MissingToolError extends Error {}

/** Fails with one line naming the tool and how to get it. */
export function requireTool(name: keyof typeof INSTALL_HINTS | string): string {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const path = found.stdout.trim();
  if (found.status !== 0 || !path) {
    throw new MissingToolError(
      `'${name}' is not on PATH: ${INSTALL_HINTS[name] ?? `install ${name}`}, then rerun.`,
    );
  }
  return path;
}

export function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): string {
  try {
    return execFileSync(cmd, args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string; message: string };
    throw new Error(
      `${cmd} ${args.join(' ')} failed: ${e.message}\n${(e.stdout ?? '').slice(-2000)}\n${(e.stderr ?? '').slice(-4000)}`,
    );
  }
}

export function log(message: string): void {
  process.stderr.write(`[infra] ${message}\n`);
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  opts: { timeoutMs: number; intervalMs?: number; isAlive?: () => string | undefined },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    const dead = opts.isAlive?.();
    if (dead) throw new Error(`${what} exited before it was ready: ${dead}`);
    try {
      const result = await probe();
      if (result !== undefined) return result;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, opts.intervalMs ?? 250));
  }
  throw new Error(`${what} not ready after ${opts.timeoutMs} ms: ${String(lastError)}`);
}
