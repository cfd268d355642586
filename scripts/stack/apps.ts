import { ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

/** Where dist/ keeps the two apps' entry points. */
const ROOT = resolve(__dirname, '..', '..');
export const APP_ENTRY = {
  'okta-collector': resolve(ROOT, 'apps/okta-collector/src/main.js'),
  'evidence-projector': resolve(ROOT, 'apps/evidence-projector/src/main.js'),
} as const;
export type AppName = keyof typeof APP_ENTRY;

export interface StartedChild {
  name: AppName;
  url: string;
  child: ChildProcess;
  /** Why the process is gone, or undefined while it runs. */
  exited(): string | undefined;
  /** SIGTERM, then waits for the exit (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts one app from dist/ as a child process. `output` says what happens to
 * its log lines: `inherit` (this terminal), `ignore`, or a callback per line.
 */
export function startAppProcess(
  name: AppName,
  port: number,
  env: NodeJS.ProcessEnv,
  output: 'inherit' | 'ignore' | ((line: string, app: AppName) => void),
): StartedChild {
  const piped = typeof output === 'function';
  const child = spawn(process.execPath, [APP_ENTRY[name]], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', piped ? 'pipe' : output, piped ? 'pipe' : output],
  });
  if (piped) {
    for (const stream of ['stdout', 'stderr'] as const) {
      let rest = '';
      child[stream]?.setEncoding('utf8');
      child[stream]?.on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) if (line) output(line, name);
      });
    }
  }
  let exitReason: string | undefined;
  child.on('exit', (code, signal) => {
    exitReason = `code ${code ?? '-'}, signal ${signal ?? '-'}`;
  });
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    child,
    exited: () => exitReason,
    stop: (graceMs = 30_000) =>
      new Promise<void>((done) => {
        if (exitReason) return done();
        const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
        child.once('exit', () => {
          clearTimeout(kill);
          done();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** `GET /health` answered 200. */
export async function isHealthy(url: string): Promise<true | undefined> {
  const response = await fetch(`${url}/health`);
  return response.ok ? true : undefined;
}

/** The user agent of the scripts' own calls (`npm start` leaves their log lines out). */
export const LOCAL_STACK_AGENT = 'regentra-local-stack';

/** A JSON call with a bearer token; the parsed answer (or the text when not JSON). */
export async function call(
  method: string,
  url: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      'user-agent': LOCAL_STACK_AGENT,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  try {
    return { status: response.status, json: text ? JSON.parse(text) : null };
  } catch {
    return { status: response.status, json: text };
  }
}
