import type { RunPart } from '@regentra/contracts';

/** Identity sync: every 4 hours on the hour, UTC (00:00, 04:00, …). */
export const IDENTITY_CRON = '0 0 */4 * * *';
/** System Log poll: hourly at :30, UTC. */
export const SYSTEM_LOG_CRON = '0 30 * * * *';

const HOUR = 3_600_000;

/** The identity slot a tick at `now` belongs to (tolerates a late-firing timer). */
export function identitySlot(now: Date): Date {
  return new Date(Math.floor(now.getTime() / (4 * HOUR)) * 4 * HOUR);
}

export function nextIdentitySlot(now: Date): Date {
  return new Date(identitySlot(now).getTime() + 4 * HOUR);
}

/**
 * The next scheduled identity slot that runs a full sync: the first slot at
 * one of `fullHoursUtc`, or, when the last full sync ages out first,
 * `lastFullAt + maxAgeHours` (null when no slot hour matches and nothing ages).
 */
export function nextFullIdentitySync(
  now: Date,
  fullHoursUtc: readonly number[],
  lastFullAt: Date | null,
  maxAgeHours: number,
): Date {
  if (!lastFullAt) return now;
  const agesOut = new Date(lastFullAt.getTime() + maxAgeHours * HOUR);
  let slot = nextIdentitySlot(now);
  for (let i = 0; i < 6; i += 1, slot = new Date(slot.getTime() + 4 * HOUR))
    if (fullHoursUtc.includes(slot.getUTCHours())) return slot < agesOut ? slot : agesOut;
  return agesOut;
}

/** The :30 slot a tick at `now` belongs to. */
export function systemLogSlot(now: Date): Date {
  return new Date(Math.floor((now.getTime() - HOUR / 2) / HOUR) * HOUR + HOUR / 2);
}

export function nextSystemLogSlot(now: Date): Date {
  return new Date(systemLogSlot(now).getTime() + HOUR);
}

/** Same id from every collector instance for one org, scope and slot: the inbox runs it once. */
export function scheduledRequestId(orgId: string, scope: RunPart, slot: Date): string {
  return `schedule:${orgId}:${scope}:${slot.toISOString()}`;
}
