import { BUCKETS, BucketName } from './rate-limiter';
import { OktaSimOptions } from './sim-types';

export const CLI_USAGE =
  'usage: okta-sim [--port <p>] [--host <addr>] [--users <n>] [--groups <n>] [--apps <n>] [--seed <n>]\n' +
  '                [--token <t>] [--latency-ms <n>] [--log-events <n>] [--rate-window-ms <n>]\n' +
  '                [--concurrency <n>] [--rate-limit <bucket>=<n> ...] [--token-owner-role <ROLE>]\n' +
  '                [--grow-logs-ms <n>] [--object-size small|realistic]\n' +
  `  buckets: ${BUCKETS.join(', ')}`;

export class CliError extends Error {}

function integer(flag: string, raw: string | undefined): number {
  if (raw === undefined || !/^\d+$/.test(raw)) {
    throw new CliError(`${flag} needs a non-negative integer, got ${raw ?? 'nothing'}`);
  }
  return Number(raw);
}

function text(flag: string, raw: string | undefined): string {
  if (raw === undefined || raw === '' || raw.startsWith('--'))
    throw new CliError(`${flag} needs a value`);
  return raw;
}

type Setter<T> = (opts: OktaSimOptions, value: T) => void;

const INTEGER_FLAGS: Record<string, Setter<number>> = {
  '--port': (o, n) => (o.port = n),
  '--users': (o, n) => (o.users = n),
  '--groups': (o, n) => (o.groups = n),
  '--apps': (o, n) => (o.apps = n),
  '--seed': (o, n) => (o.seed = n),
  '--latency-ms': (o, n) => (o.latencyMs = n),
  '--log-events': (o, n) => (o.logEvents = n),
  '--rate-window-ms': (o, n) => (o.rateWindowMs = n),
  '--concurrency': (o, n) => (o.concurrencyLimit = n),
  '--grow-logs-ms': (o, n) => (o.autoGrowLogs = { intervalMs: n }),
};

const TEXT_FLAGS: Record<string, Setter<string>> = {
  '--host': (o, v) => (o.host = v),
  '--token': (o, v) => (o.token = v),
  '--token-owner-role': (o, v) => (o.tokenOwnerRole = v),
  '--object-size': (o, v) => {
    if (v !== 'small' && v !== 'realistic')
      throw new CliError(`--object-size is small or realistic, got ${v}`);
    o.objectSize = v;
  },
};

/**
 * Parses `process.argv.slice(2)` into simulator options. `--flag value` and
 * `--flag=value` both work (split on the first `=`); unknown flags are errors.
 */
export function parseCliArgs(argv: readonly string[]): OktaSimOptions {
  const opts: OktaSimOptions = {};
  const limits: Partial<Record<BucketName, number>> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string | undefined => (eq > 0 ? arg.slice(eq + 1) : argv[++i]);
    const asInteger = INTEGER_FLAGS[flag];
    const asText = TEXT_FLAGS[flag];
    if (asInteger) asInteger(opts, integer(flag, value()));
    else if (asText) asText(opts, text(flag, value()));
    else if (flag === '--rate-limit') {
      const [bucket = '', raw] = text(flag, value()).split('=');
      if (!BUCKETS.includes(bucket as BucketName)) {
        throw new CliError(`--rate-limit: unknown bucket "${bucket}"`);
      }
      limits[bucket as BucketName] = integer(`--rate-limit ${bucket}`, raw);
    } else {
      throw new CliError(flag === '--help' || flag === '-h' ? 'help' : `unknown argument ${arg}`);
    }
  }
  if (Object.keys(limits).length > 0) opts.rateLimits = limits;
  return opts;
}
