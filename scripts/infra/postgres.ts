import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ManagedProcess } from './managed-process';
import { GIN_BESIDE_FERRETDB_INDEXES_SQL } from './postgres-gin';
import { freePort } from './ports';
import { log, waitFor } from './tools';

/** Where Debian's PostgreSQL server binaries are, or null (the caller says what to install). */
export function findPostgresBin(): string | null {
  const candidates: string[] = [];
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim());
  } catch {
    // no pg_config: look where Debian puts the server
  }
  const root = '/usr/lib/postgresql';
  if (existsSync(root))
    candidates.push(
      ...readdirSync(root)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => join(root, v, 'bin')),
    );
  return (
    candidates.find(
      (dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres')),
    ) ?? null
  );
}

export const POSTGRES_INSTALL_HINT =
  'Debian: apt-get install -y postgresql (the server binaries land in /usr/lib/postgresql/<version>/bin)';

/**
 * Settings that trade durability for speed, for tests and benchmarks only: a
 * crash of the machine (not of PostgreSQL) may lose the last commits, which a
 * test's throw-away cluster does not care about. `npm start` runs without them.
 */
export const TEST_ONLY_SETTINGS = ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off'];

/**
 * More `-c` settings for the cluster, `;`-separated, from REGENTRA_POSTGRES_SETTINGS: for
 * looking inside a run (for example `log_min_duration_statement=100`), never needed to run.
 */
export function extraSettings(value = process.env.REGENTRA_POSTGRES_SETTINGS): string[] {
  return (value ?? '')
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** The postgres system user when this process is root (PostgreSQL refuses root), else nobody. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) =>
    Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error(
      "running as root, and there is no 'postgres' system user to run PostgreSQL as (Debian's postgresql package makes it)",
    );
  }
}

export interface RunningPostgres {
  /** For FerretDB: postgres://postgres@127.0.0.1:<port>/postgres */
  url: string;
  port: number;
  stop(): Promise<void>;
  /** kill -9 of the postmaster and its backends (the fault suite). */
  kill(): Promise<void>;
}

/**
 * A PostgreSQL cluster of our own: `initdb` into `dir` (once), then the
 * server on 127.0.0.1:`port` only (its Unix socket inside `dir`), as the
 * postgres user where we are root, stopped by its pid.
 */
export async function startPostgres(opts: {
  bin: string;
  dir: string;
  port?: number;
  durable: boolean;
}): Promise<RunningPostgres> {
  const user = runAs();
  const data = join(opts.dir, 'data');
  mkdirSync(opts.dir, { recursive: true });
  if (user) {
    chownSync(opts.dir, user.uid, user.gid);
    // every parent must be traversable by the postgres user (mkdtemp makes 0700 dirs)
    for (
      let parent = join(opts.dir, '..');
      parent !== '/' && parent !== '/tmp';
      parent = join(parent, '..')
    )
      chmodSync(parent, 0o711);
  }
  const asUser = user ? { uid: user.uid, gid: user.gid } : {};
  if (!existsSync(join(data, 'PG_VERSION'))) {
    execFileSync(
      join(opts.bin, 'initdb'),
      ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-instructions'],
      {
        stdio: 'pipe',
        cwd: opts.dir,
        ...asUser,
      },
    );
  }
  const port = opts.port ?? (await freePort());
  const settings = [
    'listen_addresses=127.0.0.1',
    `unix_socket_directories=${opts.dir}`,
    'max_connections=400',
    ...(opts.durable ? [] : TEST_ONLY_SETTINGS),
    ...extraSettings(),
  ];
  const logFile = join(opts.dir, 'postgres.log');
  const proc = ManagedProcess.start(
    'postgres',
    join(opts.bin, 'postgres'),
    ['-D', data, '-p', String(port), ...settings.flatMap((s) => ['-c', s])],
    logFile,
    { LC_ALL: 'C' },
    { user, group: true },
  );
  log(`starting PostgreSQL (${opts.bin}) on 127.0.0.1:${port} (pid ${proc.pid}, log ${logFile})`);
  try {
    await waitFor(
      'PostgreSQL',
      async () => {
        execFileSync(
          join(opts.bin, 'pg_isready'),
          ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-q'],
          {
            stdio: 'ignore',
          },
        );
        return true;
      },
      { timeoutMs: 60_000, intervalMs: 200, isAlive: () => proc.deadReason() },
    );
    // every start (idempotent): a cluster made before the trigger existed gets it too
    execFileSync(
      join(opts.bin, 'psql'),
      [
        '-h',
        '127.0.0.1',
        '-p',
        String(port),
        '-U',
        'postgres',
        '-d',
        'postgres',
        '-q',
        '-v',
        'ON_ERROR_STOP=1',
      ],
      {
        input: `SET client_min_messages = warning;\n${GIN_BESIDE_FERRETDB_INDEXES_SQL}`,
        stdio: ['pipe', 'ignore', 'pipe'],
      },
    );
  } catch (error) {
    await proc.stop(2_000);
    throw error;
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    // SIGTERM: "smart" shutdown waits for clients; SIGINT is "fast" (FerretDB is stopped first anyway)
    stop: () => proc.stop(10_000),
    kill: () => proc.kill(),
  };
}
