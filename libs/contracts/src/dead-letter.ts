import { z } from 'zod';

/**
 * ★ Value of a record on `okta.dead-letter.v1`. Key = the original key (orgId
 * when there was one). The original bytes are kept so nothing is lost.
 */
export const DeadLetterSchema = z.object({
  reason: z.string().min(1),
  rejectedBy: z.string().min(1),
  rejectedAt: z.string().datetime({ offset: true }),
  source: z.object({
    topic: z.string(),
    partition: z.number().int(),
    offset: z.string(),
    key: z.string().nullable(),
  }),
  /** Original value: utf8 text when it was valid utf8, else base64. */
  originalValue: z.string().nullable(),
  originalEncoding: z.enum(['utf8', 'base64']),
});
export type DeadLetter = z.infer<typeof DeadLetterSchema>;
