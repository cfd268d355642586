import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startFerretdb, RunningMongo } from '../../scripts/infra/ferretdb';
import { startKafka, RunningKafka } from '../../scripts/infra/kafka';
import { freePort } from '../../scripts/infra/ports';

const DIST = resolve(__dirname, '..', '..');
export const COLLECTOR_MAIN = join(DIST, 'apps/okta-collector/src/main.js');
export const PROJECTOR_MAIN = join(DIST, 'apps/evidence-projector/src/main.js');
export const SIM_MAIN = join(DIST, 'tools/okta-sim/main.js');

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Polls `probe` until it returns a value (not undefined) or the deadline passes. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await sleep(intervalMs);
  }
  throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (${String(last)})` : ''}`);
}

/** One OS process the suite started: its output goes to a file and is kept for greps. */
export class Proc {
  private text = '';
  readonly exited: Promise<{ code: number | null; signal: string | null }>;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
    readonly logFile: string,
  ) {
    const out = createWriteStream(logFile, { flags: 'a' });
    const keep = (chunk: Buffer) => {
      this.text += chunk.toString();
      if (this.text.length > 4_000_000) this.text = this.text.slice(-2_000_000);
      out.write(chunk);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((done) =>
      child.once('exit', (code, signal) => {
        out.end();
        done({ code, signal });
      }),
    );
  }

  output(): string {
    return this.text;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async kill9(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  async stop(graceMs = 30_000): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

export function spawnNode(
  name: string,
  script: string,
  args: string[],
  env: Record<string, string>,
  logFile: string,
): Proc {
  if (!existsSync(script)) throw new Error(`${script} missing: run "npm run build" first`);
  const child = spawn(process.execPath, [script, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Proc(name, child, logFile);
}

/**
 * Kafka and FerretDB as OS processes this suite owns, each on fixed ports and
 * a data dir that outlive a kill -9, so a fault can kill one and start it
 * again where it was (clients reconnect to the same address).
 */
export class Cluster {
  private kafka!: RunningKafka;
  private mongo!: RunningMongo;

  private constructor(readonly dir: string) {}

  static async start(dir: string): Promise<Cluster> {
    const cluster = new Cluster(dir);
    mkdirSync(join(dir, 'kafka'), { recursive: true });
    mkdirSync(join(dir, 'ferretdb'), { recursive: true });
    [cluster.kafka, cluster.mongo] = await Promise.all([
      startKafka({ dataDir: join(dir, 'kafka') }),
      startFerretdb({ dataDir: join(dir, 'ferretdb'), port: await freePort() }),
    ]);
    return cluster;
  }

  get brokers(): string {
    return this.kafka.brokers;
  }

  get mongoUri(): string {
    return this.mongo.uri;
  }

  async killKafka(): Promise<void> {
    await this.kafka.kill();
  }

  async restartKafka(): Promise<void> {
    this.kafka = await startKafka({ dataDir: join(this.dir, 'kafka'), ...this.kafka.ports });
  }

  async killMongo(): Promise<void> {
    await this.mongo.kill();
  }

  async restartMongo(): Promise<void> {
    // both in place: PostgreSQL on its port and data dir, then FerretDB on its port
    this.mongo = await startFerretdb({
      dataDir: join(this.dir, 'ferretdb'),
      port: this.mongo.port,
      backendPort: this.mongo.backendPort,
    });
  }

  async stop(): Promise<void> {
    await Promise.allSettled([this.kafka.stop(), this.mongo.stop()]);
  }
}
