import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';

/** A child process we started and must stop: SIGTERM, then SIGKILL after a grace period. */
export class ManagedProcess {
  private exitInfo: string | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    readonly logFile: string,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = `exit code ${code ?? 'none'} signal ${signal ?? 'none'} (log: ${logFile})`;
        resolve();
      });
    });
  }

  static start(
    name: string,
    cmd: string,
    args: string[],
    logFile: string,
    env?: NodeJS.ProcessEnv,
    /**
     * `user`: run as this uid/gid (PostgreSQL refuses root). `group`: its own
     * process group, so kill -9 takes its children too (PostgreSQL's backends).
     */
    options: { user?: { uid: number; gid: number }; group?: boolean } = {},
  ): ManagedProcess {
    const out = createWriteStream(logFile, { flags: 'a' });
    const child = spawn(cmd, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.user ?? {}),
      detached: options.group === true,
    });
    child.stdout?.pipe(out);
    child.stderr?.pipe(out);
    const managed = new ManagedProcess(name, child, logFile);
    managed.group = options.group === true;
    return managed;
  }

  private group = false;

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Undefined while running, else how it ended. */
  deadReason(): string | undefined {
    return this.exitInfo;
  }

  /** kill -9 (the fault suite): resolves when the process is gone. */
  async kill(): Promise<void> {
    if (this.exitInfo) return;
    if (this.group && this.child.pid) {
      try {
        process.kill(-this.child.pid, 'SIGKILL');
      } catch {
        this.child.kill('SIGKILL');
      }
    } else this.child.kill('SIGKILL');
    await this.exited;
  }

  async stop(graceMs = 10_000): Promise<void> {
    if (this.exitInfo) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
