import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ChangeEvent } from './change-events';
import { Command } from './commands';
import { DeadLetter } from './dead-letter';
import { EnvelopeBaseSchema } from './envelope';
import { IdentityEvent } from './identity-events';
import { entryFor } from './registry';
import { SystemLogEvent } from './system-log-events';
import { MAX_MESSAGE_BYTES, TOPICS, TopicName } from './topics';

/** What each topic carries, after decoding and upcasting. */
export interface TopicMessages {
  'okta.commands.v1': Command;
  'okta.identity.v1': IdentityEvent;
  'okta.system-log.v1': SystemLogEvent;
  'okta.changes.v1': ChangeEvent;
  'okta.dead-letter.v1': DeadLetter;
}

export type DecodeResult<T> = { ok: true; message: T } | { ok: false; reason: string };

function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

/**
 * The one place a message is accepted or rejected: bytes → JSON → envelope →
 * (type, schemaVersion) schema → upcast. A rejection carries a readable reason
 * for the dead-letter topic.
 */
export function decodeMessage<T extends Exclude<TopicName, 'okta.dead-letter.v1'>>(
  topic: T,
  value: Buffer | string | null | undefined,
  key?: Buffer | string | null,
): DecodeResult<TopicMessages[T]> {
  if (value === null || value === undefined || value.length === 0) {
    return { ok: false, reason: 'empty message value' };
  }
  let json: unknown;
  try {
    json = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch (error) {
    return { ok: false, reason: `value is not JSON: ${(error as Error).message}` };
  }
  const base = EnvelopeBaseSchema.safeParse(json);
  if (!base.success) {
    return { ok: false, reason: `invalid envelope: ${describeZodError(base.error)}` };
  }
  const entry = entryFor(topic, base.data.type, base.data.schemaVersion);
  if (!entry) {
    return {
      ok: false,
      reason: `unknown type/schemaVersion ${base.data.type}@${base.data.schemaVersion} on ${topic}`,
    };
  }
  const parsed = entry.schema.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      reason: `invalid ${base.data.type}@${base.data.schemaVersion}: ${describeZodError(parsed.error)}`,
    };
  }
  const keyText = key === null || key === undefined ? null : key.toString();
  if (keyText !== null && keyText !== base.data.orgId) {
    return { ok: false, reason: `record key "${keyText}" does not match orgId` };
  }
  const message = entry.upcast ? entry.upcast(parsed.data) : parsed.data;
  return { ok: true, message: message as TopicMessages[T] };
}

/** Fields a producer supplies; the codec adds eventId and occurredAt. */
export type Draft<M extends { eventId: string; occurredAt: string }> = Omit<
  M,
  'eventId' | 'occurredAt'
> &
  Partial<Pick<M, 'eventId' | 'occurredAt'>>;

export interface EncodedRecord {
  key: string;
  value: string;
  headers: Record<string, string>;
}

export class MessageTooLargeError extends Error {
  constructor(
    readonly type: string,
    readonly bytes: number,
  ) {
    super(`${type} message of ${bytes} bytes exceeds ${MAX_MESSAGE_BYTES}: page it smaller`);
  }
}

/**
 * Validates a message against its contract and serialises it as a Kafka record
 * keyed by orgId. Throws on an invalid message: a producer bug, never data to
 * publish.
 */
export function encodeMessage<T extends Exclude<TopicName, 'okta.dead-letter.v1'>>(
  topic: T,
  draft: Draft<TopicMessages[T]>,
  now: () => Date = () => new Date(),
): EncodedRecord {
  const full = {
    ...draft,
    eventId: draft.eventId ?? randomUUID(),
    occurredAt: draft.occurredAt ?? now().toISOString(),
  } as TopicMessages[T];
  const entry = entryFor(topic, full.type, full.schemaVersion);
  if (!entry) throw new Error(`no contract for ${full.type}@${full.schemaVersion} on ${topic}`);
  const parsed = entry.schema.safeParse(full);
  if (!parsed.success) {
    throw new Error(`refusing to publish invalid ${full.type}: ${describeZodError(parsed.error)}`);
  }
  const value = JSON.stringify(full);
  const bytes = Buffer.byteLength(value);
  if (bytes > MAX_MESSAGE_BYTES) throw new MessageTooLargeError(full.type, bytes);
  return {
    key: full.orgId,
    value,
    headers: { 'content-type': 'application/json', 'event-type': full.type },
  };
}

/** Builds the dead-letter record of a rejected message, keeping its bytes. */
export function deadLetterRecord(input: {
  reason: string;
  rejectedBy: string;
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | string | null | undefined;
  value: Buffer | string | null | undefined;
  now?: Date;
}): EncodedRecord {
  const keyText = input.key === null || input.key === undefined ? null : input.key.toString();
  let originalValue: string | null = null;
  let originalEncoding: 'utf8' | 'base64' = 'utf8';
  if (input.value !== null && input.value !== undefined) {
    const buffer = typeof input.value === 'string' ? Buffer.from(input.value) : input.value;
    const text = buffer.toString('utf8');
    if (Buffer.from(text, 'utf8').equals(buffer)) {
      originalValue = text;
    } else {
      originalValue = buffer.toString('base64');
      originalEncoding = 'base64';
    }
  }
  const letter: DeadLetter = {
    reason: input.reason.slice(0, 2000),
    rejectedBy: input.rejectedBy,
    rejectedAt: (input.now ?? new Date()).toISOString(),
    source: {
      topic: input.topic,
      partition: input.partition,
      offset: input.offset,
      key: keyText,
    },
    originalValue,
    originalEncoding,
  };
  return {
    key: keyText ?? 'unkeyed',
    value: JSON.stringify(letter),
    headers: {
      'content-type': 'application/json',
      'dead-letter-reason': letter.reason.slice(0, 200),
    },
  };
}

export { TOPICS };
