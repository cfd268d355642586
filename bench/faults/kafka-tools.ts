import { Kafka, logLevel, Producer } from 'kafkajs';
import { IdentityEvent } from '@regentra/contracts';

/** A kafkajs client of the suite itself (lag, poison records, the relay). */
export function suiteKafka(brokers: string): Kafka {
  return new Kafka({
    clientId: 'fault-suite',
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
    retry: { retries: 8, initialRetryTime: 300 },
  });
}

/** Records the group has not committed yet on these topics (all partitions). */
export async function groupLag(kafka: Kafka, group: string, topics: string[]): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    let lag = 0;
    const committed = await admin.fetchOffsets({ groupId: group, topics });
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      const mine = committed.find((c) => c.topic === topic)?.partitions ?? [];
      for (const end of ends) {
        const at = mine.find((p) => p.partition === end.partition)?.offset ?? '-1';
        const from = Number(at) < 0 ? Number(end.low) : Number(at);
        lag += Math.max(0, Number(end.high) - from);
      }
    }
    return lag;
  } finally {
    await admin.disconnect();
  }
}

/** Every record of a topic as JSON (for the dead-letter topic). */
export async function readAll(
  kafka: Kafka,
  topic: string,
  waitMs: number,
): Promise<Array<Record<string, unknown>>> {
  const consumer = kafka.consumer({ groupId: `fault-suite-read-${Date.now()}-${Math.random()}` });
  const records: Array<Record<string, unknown>> = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      try {
        records.push(JSON.parse(message.value?.toString() ?? 'null') as Record<string, unknown>);
      } catch {
        records.push({ unparsable: true });
      }
    },
  });
  await new Promise((done) => setTimeout(done, waitMs));
  await consumer.disconnect();
  return records;
}

interface Held {
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | string>;
}

/**
 * Copies the collector's identity and System Log topics to the projector's
 * (another prefix). `mode` decides how: `plain` copies each record once in
 * order; `twisted` publishes every record twice and shuffles a sync's pages
 * (its started event stays first, its completed event last: what one
 * partition can reorder within a sync, given that one producer writes it in
 * order).
 */
export class Relay {
  mode: 'plain' | 'twisted' = 'plain';
  private producer!: Producer;
  private readonly consumer;
  private readonly pending = new Map<string, Held[]>();
  copied = 0;

  constructor(
    private readonly kafka: Kafka,
    private readonly from: { identity: string; systemLog: string },
    private readonly to: { identity: string; systemLog: string },
  ) {
    this.consumer = kafka.consumer({ groupId: `fault-suite-relay-${Date.now()}` });
  }

  async start(): Promise<void> {
    this.producer = this.kafka.producer({ allowAutoTopicCreation: false });
    await this.producer.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: [this.from.identity, this.from.systemLog],
      fromBeginning: true,
    });
    await this.consumer.run({
      eachMessage: async ({ topic, message }) => {
        const held: Held = {
          key: message.key,
          value: message.value,
          headers: Object.fromEntries(
            Object.entries(message.headers ?? {}).map(([k, v]) => [k, v as Buffer]),
          ),
        };
        if (topic === this.from.systemLog)
          return this.send(this.to.systemLog, this.mode === 'twisted' ? [held, held] : [held]);
        await this.identity(held);
      },
    });
  }

  private async identity(held: Held): Promise<void> {
    if (this.mode === 'plain') return this.send(this.to.identity, [held]);
    const event = JSON.parse(held.value?.toString() ?? '{}') as IdentityEvent;
    const syncId = (event as { syncId?: string }).syncId ?? '';
    const list = this.pending.get(syncId) ?? [];
    list.push(held);
    this.pending.set(syncId, list);
    if (event.type !== 'IdentitySyncCompleted' && event.type !== 'IdentitySyncFailed') return;
    this.pending.delete(syncId);
    const [first, ...rest] = list;
    const last = rest.pop();
    const pages = shuffle(rest.flatMap((r) => [r, r]));
    const order = [first, first, ...pages, last, last].filter((r): r is Held => !!r);
    await this.send(this.to.identity, order);
  }

  private async send(topic: string, records: Held[]): Promise<void> {
    await this.producer.send({
      topic,
      messages: records.map((r) => ({ key: r.key, value: r.value, headers: r.headers })),
    });
    this.copied += records.length;
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect().catch(() => undefined);
    await this.producer.disconnect().catch(() => undefined);
  }
}

function shuffle<T>(items: T[]): T[] {
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
