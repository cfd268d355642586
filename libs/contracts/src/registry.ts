import { z } from 'zod';
import { CHANGE_EVENT_SCHEMAS } from './change-events';
import { COMMAND_UPCASTS, SystemLogRereadRequestedV1, SyncRequestedV2 } from './commands';
import { EnvelopeBaseSchema } from './envelope';
import { IDENTITY_EVENT_SCHEMAS, IDENTITY_EVENT_UPCASTS } from './identity-events';
import { SYSTEM_LOG_EVENT_SCHEMAS, SYSTEM_LOG_EVENT_UPCASTS } from './system-log-events';
import { TOPICS, TopicName } from './topics';

type AnyEnvelopeSchema = z.ZodObject<z.ZodRawShape>;

/**
 * Every (type, schemaVersion) a topic may carry. An old version maps to its
 * own schema plus an upcast to the current shape, applied at the consumer edge.
 * IdentitySyncFailed and ConnectionStateChanged have a v2 (IDENTITY_EVENT_UPCASTS),
 * SystemLogPollCompleted a v2 (SYSTEM_LOG_EVENT_UPCASTS);
 * never edit a published schema.
 */
interface VersionEntry {
  schema: AnyEnvelopeSchema;
  upcast?: (message: unknown) => unknown;
}

function keyOf(schema: AnyEnvelopeSchema): string {
  const type = (schema.shape.type as z.ZodLiteral<string>).value;
  const version = (schema.shape.schemaVersion as z.ZodLiteral<number>).value;
  return `${type}@${version}`;
}

function byTypeAndVersion(
  schemas: readonly AnyEnvelopeSchema[],
  older: ReadonlyArray<{ schema: AnyEnvelopeSchema; upcast: (m: never) => unknown }> = [],
): Map<string, VersionEntry> {
  const map = new Map<string, VersionEntry>();
  for (const schema of schemas) map.set(keyOf(schema), { schema });
  for (const { schema, upcast } of older)
    map.set(keyOf(schema), { schema, upcast: upcast as (m: unknown) => unknown });
  return map;
}

const REGISTRY: Record<TopicName, Map<string, VersionEntry>> = {
  [TOPICS.commands]: byTypeAndVersion(
    [SyncRequestedV2, SystemLogRereadRequestedV1],
    COMMAND_UPCASTS as unknown as ReadonlyArray<{
      schema: AnyEnvelopeSchema;
      upcast: (m: never) => unknown;
    }>,
  ),
  [TOPICS.identity]: byTypeAndVersion(
    IDENTITY_EVENT_SCHEMAS,
    IDENTITY_EVENT_UPCASTS as unknown as ReadonlyArray<{
      schema: AnyEnvelopeSchema;
      upcast: (m: never) => unknown;
    }>,
  ),
  [TOPICS.systemLog]: byTypeAndVersion(
    SYSTEM_LOG_EVENT_SCHEMAS,
    SYSTEM_LOG_EVENT_UPCASTS as unknown as ReadonlyArray<{
      schema: AnyEnvelopeSchema;
      upcast: (m: never) => unknown;
    }>,
  ),
  [TOPICS.changes]: byTypeAndVersion(CHANGE_EVENT_SCHEMAS),
  [TOPICS.deadLetter]: new Map(),
};

export function knownTypes(topic: TopicName): string[] {
  return [...REGISTRY[topic].keys()];
}

export function entryFor(
  topic: TopicName,
  type: string,
  version: number,
): VersionEntry | undefined {
  return REGISTRY[topic].get(`${type}@${version}`);
}

export { EnvelopeBaseSchema };

/** One (type, schemaVersion) of a topic's contract, for documents generated from it. */
export interface ContractEntry {
  type: string;
  schemaVersion: number;
  schema: z.ZodTypeAny;
  /** false: an older version consumers still accept and upcast to the current one. */
  current: boolean;
}

/** Every (type, schemaVersion) `topic` may carry, in registry order (docs/asyncapi.yaml). */
export function contractEntries(topic: TopicName): ContractEntry[] {
  return [...REGISTRY[topic].entries()].map(([key, entry]) => {
    const [type = '', version = '0'] = key.split('@');
    return { type, schemaVersion: Number(version), schema: entry.schema, current: !entry.upcast };
  });
}
