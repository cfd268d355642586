import { z } from 'zod';

/** Org ids are opaque to us but travel in URLs, keys and database names. */
export const OrgIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'orgId may hold letters, digits, "_", "." and "-"');

/**
 * ★ The one envelope of every message on every topic:
 * `{ eventId, type, schemaVersion, orgId, occurredAt, syncId?, seq?, payload }`.
 * A published (type, schemaVersion) never changes shape; a new shape is a new
 * schemaVersion with an upcast to the current one (see `registry.ts`).
 */
export const EnvelopeBaseSchema = z.object({
  /** Unique per message (uuid v4). Consumers may dedupe on it. */
  eventId: z.string().uuid(),
  /** Literal event type, e.g. `IdentitySyncStarted`. */
  type: z.string().min(1),
  /** Version of this type's payload schema. */
  schemaVersion: z.number().int().positive(),
  /** Regentra organization id; also the Kafka record key. */
  orgId: OrgIdSchema,
  /** When the producer created the message (ISO-8601 with offset/Z). */
  occurredAt: z.string().datetime({ offset: true }),
  /** Identity sync or log poll this message belongs to. */
  syncId: z.string().min(1).optional(),
  /** Position of this message inside its sync (0 = started event), strictly increasing. */
  seq: z.number().int().nonnegative().optional(),
  payload: z.unknown(),
});
export type EnvelopeBase = z.infer<typeof EnvelopeBaseSchema>;

/** An envelope schema as far as `currentVersionsOf` needs it. */
interface VersionedSchema extends z.ZodTypeAny {
  shape: { type: z.ZodLiteral<string>; schemaVersion: z.ZodLiteral<number> };
}

/**
 * The version producers publish for each type of a topic's current schemas
 * (`CURRENT_*_VERSIONS`): producers take the number from here, never write it.
 */
export function currentVersionsOf<S extends VersionedSchema>(schemas: readonly S[]) {
  return Object.fromEntries(
    schemas.map((schema) => [schema.shape.type.value, schema.shape.schemaVersion.value]),
  ) as { [E in z.infer<S> as E['type']]: E['schemaVersion'] };
}

/** Builds the envelope schema of one (type, version) with its payload schema. */
export function envelopeOf<T extends string, V extends number, P extends z.ZodTypeAny>(
  type: T,
  schemaVersion: V,
  payload: P,
) {
  return EnvelopeBaseSchema.extend({
    type: z.literal(type),
    schemaVersion: z.literal(schemaVersion),
    payload,
  });
}
