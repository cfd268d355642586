/**
 * What the System Log polls read, judged as of a time: pure
 * (docs/read-models.md, "The System Log's coverage").
 */

/** A `published` range of the System Log: `since` included, `until` excluded. */
export type LogRange = { since: string; until: string };

/** A poll whose batches did not all arrive, over the window it read, not yet read again. */
export type LogGap = LogRange & { pollId: string; missingBatches: number };

/**
 * What the System Log polls read as of a time: the window, the gaps in it,
 * the last successful poll, and why the log is incomplete when it is.
 */
export type SystemLogCoverage = {
  /** Earliest `since` a completed poll said it read (null: none said). */
  since: string | null;
  /** The last successful poll's completion (null: none). */
  through: string | null;
  lastSuccessfulPollAt: string | null;
  /** Completed polls up to the time judged. */
  polls: number;
  gaps: LogGap[];
  /** Hours without a successful poll after which the log is stale (`LOG_STALE_HOURS`). */
  staleAfterHours: number;
  /** Why the log is incomplete (gaps, stale, never polled), sorted; empty: complete. */
  problems: string[];
};

/** A poll's outcome as the projector recorded it (`okta_log_polls`). */
export interface PollOutcome {
  pollId: string;
  outcome: 'completed' | 'failed';
  /** completedAt or failedAt. */
  outcomeAt: string;
  /** Batches the outcome's seq says were published and did not arrive (null: no seq to check). */
  missingBatches: number | null;
  /** The window the poll read (v2 completions; null otherwise). */
  window: LogRange | null;
  /** The earliest event the poll published, widening the window for a gap. */
  oldestPublished: string | null;
  /** Gap windows the poll read again. */
  rereads: LogRange[];
}

/** What `judgeLogCoverage` needs of an org's polls with an outcome at or before the time judged. */
export interface LogCoverageInput {
  /** Polls with missing batches (or no seq to check). */
  incomplete: PollOutcome[];
  /** Completed polls that read gaps again, with no missing batch of their own. */
  rereading: PollOutcome[];
  completedPolls: number;
  lastCompletedAt: string | null;
  earliestSince: string | null;
}

const HOUR_MS = 3_600_000;

/**
 * The gap a poll left, or null: a poll whose outcome's seq counts batches
 * that did not arrive covers its window, widened to the oldest event it
 * published; without a window, from that event (or the outcome) to the outcome.
 */
export function gapOf(poll: PollOutcome): LogGap | null {
  if (poll.missingBatches === 0) return null;
  const until = poll.window?.until ?? poll.outcomeAt;
  const candidates = [poll.window?.since, poll.oldestPublished, until].filter(
    (t): t is string => typeof t === 'string',
  );
  const since = candidates.reduce((a, b) => (Date.parse(b) < Date.parse(a) ? b : a));
  return { since, until, pollId: poll.pollId, missingBatches: poll.missingBatches ?? -1 };
}

function covers(read: LogRange, gap: LogRange): boolean {
  return (
    Date.parse(read.since) <= Date.parse(gap.since) &&
    Date.parse(read.until) >= Date.parse(gap.until)
  );
}

/**
 * The System Log's coverage at `at`: gaps not read again by a later whole
 * poll, and stale when no poll completed in the `staleAfterHours` before `at`.
 */
export function judgeLogCoverage(
  input: LogCoverageInput,
  at: string,
  staleAfterHours: number,
): SystemLogCoverage {
  const gaps: LogGap[] = [];
  for (const poll of input.incomplete) {
    const gap = gapOf(poll);
    if (!gap) continue;
    const refilled = input.rereading.some(
      (later) => later.outcomeAt >= poll.outcomeAt && later.rereads.some((r) => covers(r, gap)),
    );
    if (!refilled) gaps.push(gap);
  }
  gaps.sort((a, b) =>
    a.since < b.since ? -1 : a.since > b.since ? 1 : a.pollId < b.pollId ? -1 : 1,
  );
  const problems = gaps.map(
    (g) =>
      `gap ${g.since}..${g.until}: ${g.missingBatches < 0 ? 'an unknown number of' : g.missingBatches} batch(es) of poll ${g.pollId} did not arrive`,
  );
  const last = input.lastCompletedAt;
  if (last === null) problems.push('no successful System Log poll');
  else if (Date.parse(at) - Date.parse(last) > staleAfterHours * HOUR_MS)
    problems.push(`stale: no successful System Log poll since ${last} (over ${staleAfterHours} h)`);
  return {
    since: input.earliestSince,
    through: last,
    lastSuccessfulPollAt: last,
    polls: input.completedPolls,
    gaps,
    staleAfterHours,
    problems: problems.sort(),
  };
}
