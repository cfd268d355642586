import { randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';

/** Real services named by the global setup (or by the caller's environment). */
export function services(): { kafkaBrokers: string; mongoUri: string } {
  const kafkaBrokers = process.env.KAFKA_BROKERS;
  const mongoUri = process.env.MONGODB_URI;
  if (!kafkaBrokers || !mongoUri) {
    throw new Error(
      'KAFKA_BROKERS / MONGODB_URI unset: run through jest (global setup) or export them',
    );
  }
  return { kafkaBrokers, mongoUri };
}

/** Random names per test file: topics, databases and groups never collide across files or reruns. */
export function isolation(label: string) {
  const id = `${label}-${randomUUID().slice(0, 8)}`;
  return {
    id,
    topicPrefix: `t.${id}.`,
    collectorDb: `c_${id.replace(/-/g, '_')}`,
    projectorDb: `p_${id.replace(/-/g, '_')}`,
    groupId: `g.${id}`,
  };
}

export function randomEncryptionKey(id = 'k1'): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}

/** A pino destination that keeps every log line in memory (to grep for secrets). */
export class CapturedLogs extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.lines.push(chunk.toString('utf8'));
    done();
  }
  text(): string {
    return this.lines.join('');
  }
}
