/**
 * What the end-to-end tests expect of the evidence, stated independently of
 * the projector's own constants (a test that imported them could not catch a
 * changed definition).
 */

/** Statuses of users who can sign in (the evidence rules' definition, restated here on purpose). */
export const ACTIVE = new Set(['ACTIVE', 'LOCKED_OUT', 'PASSWORD_EXPIRED', 'RECOVERY']);

/** A control's evidence as the projector's read API answers it. */
export type Evidence = {
  summary: Record<string, unknown>;
  items: Record<string, Array<Record<string, unknown>>>;
  syncId: string;
  asOf: string;
};
