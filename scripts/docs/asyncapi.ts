import { dump } from 'js-yaml';
import { zodToJsonSchema } from 'zod-to-json-schema';
import {
  contractEntries,
  DEFAULT_PARTITIONS,
  DeadLetterSchema,
  FENCE_HEADER,
  HISTORY_TOPICS,
  MAX_MESSAGE_BYTES,
  TopicKey,
  TOPICS,
} from '@regentra/contracts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Who publishes and who consumes each topic, in words and as AsyncAPI operations. */
const TOPIC_DOCS: Record<TopicKey, { description: string; sender: string; receivers: string[] }> = {
  commands: {
    description:
      "Commands to the collector. `SyncRequested` asks for a sync of one org; `requestId` is the idempotency key (scheduled runs use `schedule:<scope>:<slot>`). The Regentra backend may produce here; the collector's Sync Now API does. The projector publishes `SystemLogRereadRequested` when a System Log poll's batches did not all reach it: the collector reads that window again (docs/topics.md, System Log gaps).",
    sender: 'regentraBackend',
    receivers: ['oktaCollector'],
  },
  identity: {
    description:
      'Identity syncs: `IdentitySyncStarted`, pages of users, factors, groups, members, apps, assignments and admin roles (raw Okta objects), then exactly one `IdentitySyncCompleted` (with counts) or `IdentitySyncFailed`; also `ConnectionStateChanged`. Records of a sync carry the `regentra-fence` header. History is kept (replay rebuilds from offset 0).',
    sender: 'oktaCollector',
    receivers: ['evidenceProjector', 'analytics'],
  },
  systemLog: {
    description:
      'Okta System Log events (sign-ins, MFA, lifecycle) as polled, bracketed per poll. History is kept.',
    sender: 'oktaCollector',
    receivers: ['evidenceProjector', 'analytics'],
  },
  changes: {
    description:
      'Typed differences between applied identity syncs (`UserStatusChanged`, `FactorEnrolled`, …), published by the projector for analytics. History is kept.',
    sender: 'evidenceProjector',
    receivers: ['analytics'],
  },
  deadLetter: {
    description:
      'Messages a consumer rejected (invalid JSON, unknown type or version, schema violation, key ≠ orgId), with the reason and the original bytes. Key = the original key.',
    sender: 'anyConsumer',
    receivers: ['operators'],
  },
};

const ORG_KEY: Json = {
  type: 'string',
  description: 'orgId: every record of one org is on one partition, in order',
  pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$',
  maxLength: 128,
};

/** zod 3 → JSON Schema draft 7 (AsyncAPI's default schema format is a superset), inlined. */
function jsonSchemaOf(schema: unknown): Json {
  // zod-to-json-schema types its input with `zod/v3`, the same classes as our `zod` 3.25
  const converted = zodToJsonSchema(schema as never, {
    target: 'jsonSchema7',
    $refStrategy: 'none',
  });
  const { $schema, ...rest } = converted as Record<string, Json>;
  void $schema;
  return rest;
}

function headers(topic: TopicKey): Json {
  const properties: Record<string, Json> = {
    'content-type': { type: 'string', const: 'application/json' },
    'event-type': {
      type: 'string',
      description: 'the envelope `type`, for routing without parsing',
    },
  };
  if (topic === 'identity' || topic === 'systemLog')
    properties[FENCE_HEADER] = {
      type: 'string',
      pattern: '^(0|[1-9][0-9]{0,15})$',
      description:
        "the publishing sync's per-org lease epoch; the projector ignores identity records of an older epoch once a newer one was seen (absent outside a sync)",
    };
  if (topic === 'deadLetter') {
    delete properties['event-type'];
    properties['dead-letter-reason'] = { type: 'string', maxLength: 200 };
  }
  return { type: 'object', properties };
}

function messagesOf(topic: TopicKey): Record<string, Json> {
  const kafka = { key: ORG_KEY, bindingVersion: '0.5.0' };
  if (topic === 'deadLetter')
    return {
      'dead-letter.DeadLetter': {
        name: 'DeadLetter',
        title: 'Dead letter',
        contentType: 'application/json',
        headers: headers(topic),
        payload: jsonSchemaOf(DeadLetterSchema),
        bindings: {
          kafka: {
            key: { type: 'string', description: 'the original key, or "unkeyed"' },
            bindingVersion: '0.5.0',
          },
        },
      },
    };
  const messages: Record<string, Json> = {};
  for (const entry of contractEntries(TOPICS[topic])) {
    messages[`${topic}.${entry.type}.v${entry.schemaVersion}`] = {
      name: entry.type,
      title: `${entry.type} v${entry.schemaVersion}`,
      summary: entry.current
        ? `${entry.type}, schemaVersion ${entry.schemaVersion} (current)`
        : `${entry.type}, schemaVersion ${entry.schemaVersion}: older, still accepted and upcast to the current version`,
      contentType: 'application/json',
      headers: headers(topic),
      payload: jsonSchemaOf(entry.schema),
      bindings: { kafka },
    };
  }
  return messages;
}

/**
 * ★ docs/asyncapi.yaml: every topic, its key, and every (type, schemaVersion)
 * it may carry with the JSON Schema of the whole envelope, converted from the
 * zod schemas in libs/contracts (the same ones both apps validate with).
 */
export function asyncApiYaml(): string {
  const channels: Record<string, Json> = {};
  const operations: Record<string, Json> = {};
  const componentMessages: Record<string, Json> = {};
  for (const topic of Object.keys(TOPICS) as TopicKey[]) {
    const docs = TOPIC_DOCS[topic];
    const messages = messagesOf(topic);
    Object.assign(componentMessages, messages);
    const refs = Object.keys(messages).map((id) => ({ $ref: `#/components/messages/${id}` }));
    channels[topic] = {
      address: TOPICS[topic],
      title: TOPICS[topic],
      description: docs.description,
      messages: Object.fromEntries(Object.keys(messages).map((id, i) => [id, refs[i] as Json])),
      bindings: {
        kafka: {
          partitions: DEFAULT_PARTITIONS[TOPICS[topic]],
          topicConfiguration: {
            'cleanup.policy': ['delete'],
            ...(HISTORY_TOPICS.includes(topic) ? { 'retention.ms': -1 } : {}),
            'max.message.bytes': 1048576,
          },
          bindingVersion: '0.5.0',
        },
      },
    };
    const channelMessages = Object.keys(messages).map((id) => ({
      $ref: `#/channels/${topic}/messages/${id}`,
    }));
    operations[`${docs.sender}.send.${topic}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${topic}` },
      summary: `${docs.sender} publishes to ${TOPICS[topic]}`,
      messages: channelMessages,
    };
    for (const receiver of docs.receivers)
      operations[`${receiver}.receive.${topic}`] = {
        action: 'receive',
        channel: { $ref: `#/channels/${topic}` },
        summary: `${receiver} consumes ${TOPICS[topic]}`,
        messages: channelMessages,
      };
  }
  const document: Json = {
    asyncapi: '3.0.0',
    info: {
      title: 'Regentra Okta evidence pipeline: Kafka topics',
      version: '1',
      description: [
        'Generated from libs/contracts by `npm run docs`; do not edit by hand (lint fails on drift).',
        [
          'Every value is JSON in one envelope',
          '`{ eventId, type, schemaVersion, orgId, occurredAt, syncId?, seq?, payload }`,',
          'and the key of every record is its `orgId` (one org stays on one partition, in order).',
          'A published (type, schemaVersion) never changes shape: a new shape is a new schemaVersion,',
          'and consumers upcast the older ones they still accept (listed here as well).',
          'A record that fails its schema goes to the dead-letter topic with the reason.',
          `Producers keep every value under ${MAX_MESSAGE_BYTES} bytes (large pages are split by encoded size).`,
        ].join(' '),
      ].join('\n\n'),
    },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: { messages: componentMessages },
  };
  return dump(document, { noRefs: true, lineWidth: 100, sortKeys: false });
}
