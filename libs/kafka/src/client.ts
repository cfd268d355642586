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
        log(LEVELS[level] ?? 'log', { ...rest, msg: message });
      },
  });
}
