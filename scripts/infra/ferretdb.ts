import {
  cpSync,
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { ManagedProcess } from './managed-process';
import { freePort } from './ports';
import { findPostgresBin, POSTGRES_INSTALL_HINT, RunningPostgres, startPostgres } from './postgres';
import { cacheDir, log, requireTool, run, waitFor } from './tools';

/**
 * FerretDB v1.24 (MongoDB wire protocol over PostgreSQL or SQLite), built from the Go module
 * proxy. A plain `go install …/cmd/ferretdb@v1.24.2` panics at start-up: its
 * version check reads build/version/version.txt, which the module zip lacks.
 * So: download the module, copy it somewhere writable, write version.txt, build.
 */
export const FERRETDB_VERSION = process.env.FERRETDB_VERSION ?? 'v1.24.2';
const MODULE = 'github.com/FerretDB/FerretDB';

function goEnv(): NodeJS.ProcessEnv {
  return {
    GOMODCACHE: join(cacheDir(), 'go', 'mod'),
    GOCACHE: join(cacheDir(), 'go', 'build'),
    GOFLAGS: '-modcacherw',
    CGO_ENABLED: '0',
  };
}

export function ensureFerretdbBinary(version = FERRETDB_VERSION): string {
  const binary = join(cacheDir(), 'bin', `ferretdb-${version}`);
  if (existsSync(binary)) return binary;
  requireTool('go');
  log(`building FerretDB ${version} from the Go module proxy (first run only, about a minute)`);
  const env = goEnv();
  const info = JSON.parse(
    run('go', ['mod', 'download', '-json', `${MODULE}@${version}`], { env, cwd: tmpdir() }),
  ) as {
    Dir?: string;
    Error?: string;
  };
  if (!info.Dir)
    throw new Error(`go mod download ${MODULE}@${version} failed: ${info.Error ?? 'no Dir'}`);
  const src = join(cacheDir(), `ferretdb-src-${version}`);
  rmSync(src, { recursive: true, force: true });
  cpSync(info.Dir, src, { recursive: true });
  chmodSync(join(src, 'build', 'version'), 0o755);
  writeFileSync(join(src, 'build', 'version', 'version.txt'), `${version}\n`);
  mkdirSync(join(cacheDir(), 'bin'), { recursive: true });
  run('go', ['build', '-trimpath', '-o', `${binary}.tmp`, './cmd/ferretdb'], { env, cwd: src });
  cpSync(`${binary}.tmp`, binary);
  rmSync(`${binary}.tmp`, { force: true });
  return binary;
}

export interface RunningMongo {
  uri: string;
  stop(): Promise<void>;
  /** kill -9 of FerretDB and, on PostgreSQL, of PostgreSQL (start again with the same dataDir and ports). */
  kill(): Promise<void>;
  port: number;
  /** The backend's port (PostgreSQL), for a restart in place. */
  backendPort?: number;
  backend: FerretdbBackend;
}

export type FerretdbBackend = 'postgresql' | 'sqlite';

/**
 * The backend to run: REGENTRA_FERRETDB_BACKEND, else PostgreSQL where its
 * server binaries are installed, else SQLite with one line naming the
 * package. PostgreSQL pushes every top-level equality of a filter down as
 * SQL and locks rows; SQLite pushes down only `{_id}` and has one write lock.
 */
export function chooseBackend(env: NodeJS.ProcessEnv = process.env): {
  backend: FerretdbBackend;
  postgresBin: string | null;
} {
  const wanted = env.REGENTRA_FERRETDB_BACKEND;
  if (wanted && wanted !== 'postgresql' && wanted !== 'sqlite')
    throw new Error(`REGENTRA_FERRETDB_BACKEND must be postgresql or sqlite, not ${wanted}`);
  if (wanted === 'sqlite') return { backend: 'sqlite', postgresBin: null };
  const postgresBin = findPostgresBin();
  if (postgresBin) return { backend: 'postgresql', postgresBin };
  if (wanted === 'postgresql')
    throw new Error(
      `REGENTRA_FERRETDB_BACKEND=postgresql but no PostgreSQL server binaries were found: ${POSTGRES_INSTALL_HINT}`,
    );
  log(
    `PostgreSQL not found, FerretDB runs on SQLite (much slower per-org reads): ${POSTGRES_INSTALL_HINT}`,
  );
  return { backend: 'sqlite', postgresBin: null };
}

/** How long a write waits for SQLite's database-wide write lock before failing. */
const SQLITE_BUSY_TIMEOUT_MS = 60_000;

export async function startFerretdb(
  opts: {
    version?: string;
    dataDir?: string;
    port?: number;
    /** PostgreSQL's port on a restart in place. */
    backendPort?: number;
    /** false (tests, benches): PostgreSQL without fsync (postgres.ts TEST_ONLY_SETTINGS). */
    durable?: boolean;
    env?: NodeJS.ProcessEnv;
  } = {},
): Promise<RunningMongo> {
  const binary = ensureFerretdbBinary(opts.version);
  const { backend, postgresBin } = chooseBackend(opts.env);
  const dir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'regentra-ferretdb-'));
  const port = opts.port ?? (await freePort());
  const logFile = join(dir, 'ferretdb.log');
  let postgres: RunningPostgres | undefined;
  let handler: string[];
  if (backend === 'postgresql' && postgresBin) {
    postgres = await startPostgres({
      bin: postgresBin,
      dir: join(dir, 'postgres'),
      port: opts.backendPort,
      durable: opts.durable ?? false,
    });
    handler = ['--handler=postgresql', `--postgresql-url=${postgres.url}`];
  } else {
    const dataDir = join(dir, 'sqlite');
    mkdirSync(dataDir, { recursive: true });
    handler = [
      '--handler=sqlite',
      // SQLite lets one writer in at a time; a write waits up to busy_timeout for the lock,
      // then fails with SQLITE_BUSY. FerretDB's 10 s default was not enough under the fleet
      // bench (100 orgs, 3 collectors and a projector on 2 cores: a log poll failed with
      // "database is locked"); MongoDB has no database-wide write lock.
      `--sqlite-url=file:${dataDir}/?_pragma=busy_timeout(${SQLITE_BUSY_TIMEOUT_MS})`,
    ];
  }
  const proc = ManagedProcess.start(
    'ferretdb',
    binary,
    [
      ...handler,
      `--listen-addr=127.0.0.1:${port}`,
      '--state-dir=-',
      '--debug-addr=-',
      '--telemetry=disable',
      '--log-level=warn',
    ],
    logFile,
  );
  const uri = `mongodb://127.0.0.1:${port}/?directConnection=true`;
  log(
    `starting FerretDB ${opts.version ?? FERRETDB_VERSION} (${backend}) on ${uri} (pid ${proc.pid})`,
  );
  try {
    await waitFor(
      'FerretDB',
      async () => {
        const client = new MongoClient(uri, { serverSelectionTimeoutMS: 1000 });
        try {
          await client.connect();
          await client.db('admin').command({ ping: 1 });
          return true;
        } finally {
          await client.close();
        }
      },
      { timeoutMs: 30_000, isAlive: () => proc.deadReason() },
    );
  } catch (error) {
    await proc.stop(2_000);
    await postgres?.stop();
    throw error;
  }
  return {
    uri,
    stop: async () => {
      await proc.stop(5_000);
      await postgres?.stop();
      if (!opts.dataDir) rmSync(dir, { recursive: true, force: true });
    },
    kill: async () => {
      await proc.kill();
      await postgres?.kill();
    },
    port,
    backendPort: postgres?.port,
    backend,
  };
}
