import { Kafka, logLevel, LogEntry, SASLOptions } from 'kafkajs';

/** Where kafkajs log lines go: the app's structured logger. */
export type KafkaLog = (level: 'error' | 'warn' | 'log' | 'debug', entry: object) => void;

export interface KafkaClientOptions {
  clientId: string;
  brokers: string[];
  log: KafkaLog;
  /** TLS: true (system trust store) or the CA certificates to trust. */
  ssl?: boolean | { ca: string[] };
  sasl?: SASLOptions;
}

const LEVELS: Record<number, 'error' | 'warn' | 'log' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'log',
  [logLevel.DEBUG]: 'debug',
};

/** Benign kafkajs warnings about our own, deliberate settings (the default partitioner, capped idempotent retries). */
const KNOWN_SETTINGS = [
  /switched default partitioner/,
  /Limiting retries for the idempotent producer/,
];

/**
 * The level a kafkajs line is logged at. kafkajs logs every broker response
 * that carries an error code (`Response GroupCoordinator …: The group
 * coordinator is not available`) at ERROR and then retries it: during a
 * normal start-up and shutdown that is routine, and when the retries run out
 * the failure reaches our code, which reports it. So those become debug, as do
 * the warnings about settings chosen on purpose.
 */
export function kafkaLogLevel(
  level: 'error' | 'warn' | 'log' | 'debug',
  message: string,
): 'error' | 'warn' | 'log' | 'debug' {
  if (level === 'error' && /^Response \w+\(key: \d+, version: \d+\)$/.test(message)) return 'debug';
  if (level === 'warn' && KNOWN_SETTINGS.some((known) => known.test(message))) return 'debug';
  return level;
}

/** kafkajs with bounded retries and its log lines routed to the app's logger. */
export function createKafka({ clientId, brokers, log, ssl, sasl }: KafkaClientOptions): Kafka {
  return new Kafka({
    clientId,
    brokers,
    ...(ssl ? { ssl } : {}),
    ...(sasl ? { sasl } : {}),
    logLevel: logLevel.WARN,
    retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 5_000 },
    logCreator:
      () =>
      ({ level, log: line }: LogEntry) => {
        const { message, ...rest } = line;
        log(kafkaLogLevel(LEVELS[level] ?? 'log', String(message)), { ...rest, msg: message });
      },
  });
}
