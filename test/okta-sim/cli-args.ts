import { BUCKETS, BucketName } from './rate-limiter';
import { OktaSimOptions } from './sim-types';

export const CLI_USAGE =
  'usage: okta-sim [--port <p>] [--host <addr>] [--users <n>] [--groups <n>] [--apps <n>] [--seed <n>]\n' +
  '                [--token <t>] [--latency-ms <n>] [--log-events <n>] [--rate-window-ms <n>]\n' +
  '                [--concurrency <n>] [--rate-limit <bucket>=<n> ...] [--token-owner-role <ROLE>]\n' +
  '                [--grow-logs-ms <n>]\n' +
  `  buckets: ${BUCKETS.join(', ')}`;

export class CliError extends Error {}

function integer(flag: string, raw: string | undefined): number {
  if (raw === undefined || !/^\d+$/.test(raw)) {
    throw new CliError(`${flag} needs a non-negative integer, got ${raw ?? 'nothing'}`);
  }
  return Number(raw);
}

function text(flag: string, raw: string | undefined): string {
  if (raw === undefined || raw === '' || raw.startsWith('--')) throw new CliError(`${flag} needs a value`);
  return raw;
}

/**
 * Parses `process.argv.slice(2)` into simulator options. `--flag value` and
 * `--flag=value` both work (split on the first `=`); unknown flags are errors.
 */
export function parseCliArgs(argv: readonly string[]): OktaSimOptions {
  const opts: OktaSimOptions = {};
  const limits: Partial<Record<BucketName, number>> = {};
  let i = 0;
  const list = [...argv];
  while (i < list.length) {
    const arg = list[i] as string;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string | undefined => (eq > 0 ? arg.slice(eq + 1) : list[++i]);
    switch (flag) {
      case '--port': opts.port = integer(flag, value()); break;
      case '--host': opts.host = text(flag, value()); break;
      case '--users': opts.users = integer(flag, value()); break;
      case '--groups': opts.groups = integer(flag, value()); break;
      case '--apps': opts.apps = integer(flag, value()); break;
      case '--seed': opts.seed = integer(flag, value()); break;
      case '--token': opts.token = text(flag, value()); break;
      case '--latency-ms': opts.latencyMs = integer(flag, value()); break;
      case '--log-events': opts.logEvents = integer(flag, value()); break;
      case '--rate-window-ms': opts.rateWindowMs = integer(flag, value()); break;
      case '--concurrency': opts.concurrencyLimit = integer(flag, value()); break;
      case '--token-owner-role': opts.tokenOwnerRole = text(flag, value()); break;
      case '--grow-logs-ms': opts.autoGrowLogs = { intervalMs: integer(flag, value()) }; break;
      case '--rate-limit': {
        const [bucket = '', raw] = text(flag, value()).split('=');
        if (!BUCKETS.includes(bucket as BucketName)) throw new CliError(`--rate-limit: unknown bucket "${bucket}"`);
        limits[bucket as BucketName] = integer(`--rate-limit ${bucket}`, raw);
        break;
      }
      default:
        throw new CliError(flag === '--help' || flag === '-h' ? 'help' : `unknown argument ${arg}`);
    }
    i++;
  }
  if (Object.keys(limits).length > 0) opts.rateLimits = limits;
  return opts;
}
