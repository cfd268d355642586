import { MultiBar, SingleBar } from 'cli-progress';
import { prettyFactory } from 'pino-pretty';
import { LOCAL_STACK_AGENT } from './apps';

type LogEntry = {
  msg?: string;
  req?: { method?: string; url?: string; headers?: Record<string, string> };
  res?: { statusCode?: number };
  responseTime?: number;
};

/**
 * What `npm start` prints. At a terminal: the apps' JSON log lines made
 * readable by pino-pretty (the routine request lines of the start script's
 * own polling left out), and one progress line that redraws in place. Not at
 * a terminal (CI, a pipe, a file): the apps' JSON lines unchanged, and the
 * progress as plain lines when its phase changes.
 */
export class StartConsole {
  readonly pretty = Boolean(process.stdout.isTTY);
  private readonly format = prettyFactory({
    colorize: this.pretty,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,context,app,req,res,responseTime',
    messageFormat: '{app} › {msg}',
    singleLine: true,
  });
  private bars: MultiBar | null = null;
  private bar: SingleBar | null = null;
  private lastPlain = '';

  /** One line of a child app's stdout or stderr. */
  appLine(app: string, line: string): void {
    if (!this.pretty) return this.write(`${line}\n`);
    let entry: LogEntry;
    try {
      entry = JSON.parse(line) as LogEntry;
    } catch {
      return this.write(`${line}\n`);
    }
    if (entry.req) {
      // the script's own polling is routine; other requests as one short line
      if (entry.req.headers?.['user-agent'] === LOCAL_STACK_AGENT) return;
      entry.msg = `${entry.req.method} ${entry.req.url} → ${entry.res?.statusCode ?? '-'} (${entry.responseTime ?? '-'} ms)`;
    }
    this.write(this.format({ ...entry, app }));
  }

  /** A line of the start script itself. */
  say(message: string): void {
    this.write(this.pretty ? `\x1b[36m▸\x1b[0m ${message}\n` : `start: ${message}\n`);
  }

  /** Shows (or updates) the progress line of the first sync. */
  progress(phase: string, counts: string): void {
    if (!this.pretty) {
      const plain = `first sync: ${phase}${counts ? ` (${counts})` : ''}`;
      if (plain !== this.lastPlain) this.say(plain);
      this.lastPlain = plain;
      return;
    }
    if (!this.bars) {
      this.bars = new MultiBar({
        format: '  \x1b[36mfirst sync\x1b[0m  {phase}  {counts}  ({duration_formatted})',
        hideCursor: true,
        clearOnComplete: true,
        stopOnComplete: false,
        barsize: 0,
      });
      this.bar = this.bars.create(1, 0, { phase, counts });
    }
    this.bar?.update(0, { phase, counts });
  }

  /** Removes the progress line. */
  progressDone(): void {
    this.bars?.stop();
    this.bars = null;
    this.bar = null;
  }

  private write(text: string): void {
    // while the progress line is up, lines go above it
    if (this.bars) this.bars.log(text.endsWith('\n') ? text : `${text}\n`);
    else process.stdout.write(text);
  }
}
