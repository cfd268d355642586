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
  ): ManagedProcess {
    const out = createWriteStream(logFile, { flags: 'a' });
    const child = spawn(cmd, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(out);
    child.stderr?.pipe(out);
    return new ManagedProcess(name, child, logFile);
  }

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
    this.child.kill('SIGKILL');
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
