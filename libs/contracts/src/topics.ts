/** Kafka topic names. Changing one is a breaking change: add a `.v2` topic instead. */
export const TOPICS = {
  /** Commands to the collector (`SyncRequested`), keyed by orgId. */
  commands: 'okta.commands.v1',
  /** Identity sync events (users, factors, groups, apps, roles), keyed by orgId. */
  identity: 'okta.identity.v1',
  /** Okta System Log events, keyed by orgId. */
  systemLog: 'okta.system-log.v1',
  /**
   * Typed differences between applied identity syncs (`UserStatusChanged`,
   * `FactorEnrolled`, …), published by the projector for analytics, keyed by orgId.
   */
  changes: 'okta.changes.v1',
  /** Messages any consumer rejected, with the reason (see {@link DeadLetter}). */
  deadLetter: 'okta.dead-letter.v1',
} as const;

export type TopicKey = keyof typeof TOPICS;
export type TopicName = (typeof TOPICS)[TopicKey];

/**
 * Partition counts used when the apps create missing topics (KAFKA_PARTITIONS
 * and KAFKA_TOPIC_PARTITIONS override them). Sized for a fleet: a topic's
 * count is chosen once, since adding partitions later moves keys (orgs) to
 * other partitions and could reorder one org's in-flight records.
 */
export const DEFAULT_FLEET_PARTITIONS = 24;
export const DEFAULT_PARTITIONS: Record<TopicName, number> = {
  'okta.commands.v1': DEFAULT_FLEET_PARTITIONS,
  'okta.identity.v1': DEFAULT_FLEET_PARTITIONS,
  'okta.system-log.v1': DEFAULT_FLEET_PARTITIONS,
  'okta.changes.v1': DEFAULT_FLEET_PARTITIONS,
  'okta.dead-letter.v1': 1,
};

/**
 * Topics whose history is kept (no time-based deletion): identity and System
 * Log are the record replay rebuilds from, and analytics replay the changes
 * from offset 0. The others (commands, dead letters) keep a finite retention.
 */
export const HISTORY_TOPICS: readonly TopicKey[] = ['identity', 'systemLog', 'changes'];

/** Producers keep every message under this many bytes (the broker default is 1 MiB). */
export const MAX_MESSAGE_BYTES = 512 * 1024;

/** Physical topic names: the contract names, with a prefix only in tests. */
export type TopicNames = Record<TopicKey, string>;

export function topicNames(prefix = ''): TopicNames {
  return {
    commands: `${prefix}${TOPICS.commands}`,
    identity: `${prefix}${TOPICS.identity}`,
    systemLog: `${prefix}${TOPICS.systemLog}`,
    changes: `${prefix}${TOPICS.changes}`,
    deadLetter: `${prefix}${TOPICS.deadLetter}`,
  };
}
