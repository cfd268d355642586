import { z } from 'zod';

/**
 * Okta objects travel as Okta returned them (raw snapshots), so evidence can be
 * re-projected when rules change. The schemas type the fields we rely on and
 * keep every other field (`passthrough`).
 */
const isoDate = z.string().min(1);

export const OktaUserSchema = z
  .object({
    id: z.string().min(1),
    status: z.string().min(1),
    created: isoDate.nullish(),
    activated: isoDate.nullish(),
    statusChanged: isoDate.nullish(),
    lastLogin: isoDate.nullish(),
    lastUpdated: isoDate.nullish(),
    profile: z
      .object({ login: z.string().nullish(), email: z.string().nullish() })
      .passthrough()
      .optional(),
  })
  .passthrough();
export type OktaUser = z.infer<typeof OktaUserSchema>;

export const OktaFactorSchema = z
  .object({
    id: z.string().min(1),
    factorType: z.string().min(1),
    provider: z.string().nullish(),
    status: z.string().min(1),
  })
  .passthrough();
export type OktaFactor = z.infer<typeof OktaFactorSchema>;

export const OktaGroupSchema = z
  .object({
    id: z.string().min(1),
    type: z.string().min(1),
    profile: z.object({ name: z.string().nullish() }).passthrough().optional(),
  })
  .passthrough();
export type OktaGroup = z.infer<typeof OktaGroupSchema>;

export const OktaAppSchema = z
  .object({
    id: z.string().min(1),
    name: z.string().nullish(),
    label: z.string().nullish(),
    status: z.string().min(1),
  })
  .passthrough();
export type OktaApp = z.infer<typeof OktaAppSchema>;

/** `GET /apps/{id}/users` item: `scope` is USER (direct) or GROUP. */
export const OktaAppUserSchema = z
  .object({ id: z.string().min(1), scope: z.string().nullish(), status: z.string().nullish() })
  .passthrough();
export type OktaAppUser = z.infer<typeof OktaAppUserSchema>;

/** `GET /apps/{id}/groups` item: `id` is the group id. */
export const OktaAppGroupSchema = z.object({ id: z.string().min(1) }).passthrough();
export type OktaAppGroup = z.infer<typeof OktaAppGroupSchema>;

export const OktaRoleSchema = z
  .object({
    id: z.string().min(1),
    type: z.string().min(1),
    label: z.string().nullish(),
    status: z.string().nullish(),
    assignmentType: z.string().nullish(),
  })
  .passthrough();
export type OktaRole = z.infer<typeof OktaRoleSchema>;

export const OktaLogEventSchema = z
  .object({
    uuid: z.string().min(1),
    published: isoDate,
    eventType: z.string().min(1),
    actor: z
      .object({ id: z.string().nullish(), type: z.string().nullish() })
      .passthrough()
      .nullish(),
    outcome: z.object({ result: z.string().nullish() }).passthrough().nullish(),
    target: z
      .array(z.object({ id: z.string().nullish(), type: z.string().nullish() }).passthrough())
      .nullish(),
  })
  .passthrough();
export type OktaLogEvent = z.infer<typeof OktaLogEventSchema>;
