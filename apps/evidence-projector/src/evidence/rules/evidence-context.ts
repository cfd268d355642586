import type { CompletenessSummary, CoverageFigures, UserRef } from './control-evidence.types';
import { figuresOfLogs, LogFigures, timedFacts } from '../../log-facts/log-figures';
import {
  ACTIVE_USER_STATUSES,
  BUILT_IN_GROUP_TYPE,
  DAY_MS,
  SIGN_IN_WINDOW_DAYS,
} from './evidence-rules';
import type {
  OrgAppState,
  OrgGroupState,
  OrgState,
  OrgUserState,
  SystemLogCoverage,
} from './org-state';

/** The input cannot be turned into evidence (a bug upstream, not a data gap). */
export class EvidenceInputError extends Error {
  override readonly name = 'EvidenceInputError';
}

/**
 * Everything the controls share, built once per OrgState in O(n log n):
 * users sorted by login then id, id indexes, the System Log folded into figures.
 */
export interface EvidenceContext {
  state: OrgState;
  asOfMs: number;
  users: OrgUserState[];
  usersById: Map<string, OrgUserState>;
  groupsById: Map<string, OrgGroupState>;
  groups: OrgGroupState[];
  apps: OrgAppState[];
  logs: LogFigures;
}

/** Code-unit order: the same everywhere, unlike localeCompare. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** null sorts after every string. */
export function compareNullableStrings(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return compareStrings(a, b);
}

/** The order of every user list: login (missing last), then id. */
export function compareByLoginThenId(
  a: { login: string | null; userId: string },
  b: { login: string | null; userId: string },
): number {
  return compareNullableStrings(a.login, b.login) || compareStrings(a.userId, b.userId);
}

function compareUsers(a: OrgUserState, b: OrgUserState): number {
  return compareNullableStrings(a.login, b.login) || compareStrings(a.id, b.id);
}

/** Sorted, without duplicates. */
export function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort(compareStrings);
}

/** Milliseconds of an ISO-8601 time, or null when missing or unparseable. */
export function parseTime(value: string | null | undefined): number | null {
  if (value === null || value === undefined || value === '') return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

export interface TimeWindow {
  days: number;
  startMs: number;
  endMs: number;
  start: string;
  end: string;
}

/** [asOf − days, asOf], both ends included. */
export function windowBefore(ctx: EvidenceContext, days: number): TimeWindow {
  const startMs = ctx.asOfMs - days * DAY_MS;
  return {
    days,
    startMs,
    endMs: ctx.asOfMs,
    start: new Date(startMs).toISOString(),
    end: new Date(ctx.asOfMs).toISOString(),
  };
}

export function inWindow(ms: number | null, window: TimeWindow): ms is number {
  return ms !== null && ms >= window.startMs && ms <= window.endMs;
}

export function isActiveUser(user: OrgUserState): boolean {
  return ACTIVE_USER_STATUSES.includes(user.status);
}

export function userRef(user: OrgUserState): UserRef {
  return { userId: user.id, login: user.login, email: user.email, status: user.status };
}

/** The user's app ids, sorted, each once. */
export function appIdsOf(user: OrgUserState): string[] {
  return sortedUnique(user.appAssignments.map((a) => a.appId));
}

export type AssignmentItem = { appId: string; scope: string; status: string | null };

/** The user's app assignments, sorted by app id, scope, status. */
export function assignmentItems(user: OrgUserState): AssignmentItem[] {
  return user.appAssignments
    .map((a) => ({ appId: a.appId, scope: a.scope, status: a.status ?? null }))
    .sort(
      (a, b) =>
        compareStrings(a.appId, b.appId) ||
        compareStrings(a.scope, b.scope) ||
        compareNullableStrings(a.status, b.status),
    );
}

/**
 * Unknown entries in the state that make access figures incomplete even when
 * coverage says nothing: a group whose members, or an app whose assignments,
 * could not be read.
 */
export function unknownAccessDatasets(ctx: EvidenceContext): string[] {
  return [
    ...(ctx.groups.some((g) => g.memberCount === null) ? ['groupMembers'] : []),
    ...(ctx.apps.some((a) => !a.assignmentsKnown) ? ['appAssignments'] : []),
  ];
}

/**
 * The user's groups other than BUILT_IN ones (Everyone). A group id the sync
 * did not list counts as non-BUILT_IN: when in doubt, it is access.
 */
export function nonBuiltInGroupIds(ctx: EvidenceContext, user: OrgUserState): string[] {
  return sortedUnique(
    user.groupIds.filter((id) => ctx.groupsById.get(id)?.type !== BUILT_IN_GROUP_TYPE),
  );
}

/** The System Log dataset's name in `feedingDatasets`, `coverage` and `incompleteDatasets`. */
export const SYSTEM_LOG_DATASET = 'systemLog';

/**
 * A control is complete when every dataset feeding it has a coverage entry
 * with no failures, the System Log (when it feeds the control) has no gap and
 * is not stale, and none of its entries is unknown in the state
 * (`unknownDatasets`: names of datasets the control found unknown entries
 * of). A dataset without an entry is unknown, never complete: fail closed
 * (docs/read-models.md, "Complete, and why not").
 */
export function completeness(
  ctx: EvidenceContext,
  feedingDatasets: readonly string[],
  unknownDatasets: readonly string[],
): CompletenessSummary {
  const coverage: Record<string, CoverageFigures> = {};
  for (const key of Object.keys(ctx.state.coverage).sort(compareStrings)) {
    const figures = ctx.state.coverage[key];
    if (figures) coverage[key] = { read: figures.read, failed: figures.failed };
  }
  const log = ctx.state.systemLog;
  if (feedingDatasets.includes(SYSTEM_LOG_DATASET) && log)
    coverage[SYSTEM_LOG_DATASET] = { read: log.polls, failed: log.gaps.length };
  const reasons: Array<{ dataset: string; reason: string }> = [];
  for (const name of feedingDatasets) {
    if (name === SYSTEM_LOG_DATASET) {
      if (!log) reasons.push({ dataset: name, reason: 'no coverage entry: unknown' });
      else for (const reason of log.problems) reasons.push({ dataset: name, reason });
      continue;
    }
    const figures = coverage[name];
    if (!figures) reasons.push({ dataset: name, reason: 'no coverage entry: unknown' });
    else if (figures.failed > 0)
      reasons.push({
        dataset: name,
        // Not "of read + failed": an incremental sync reads only what changed, and its
        // evidence must equal a full sync's (test/e2e/incremental-exactness.e2e.spec.ts).
        reason: `${figures.failed} could not be read by the sync`,
      });
  }
  for (const name of unknownDatasets)
    reasons.push({ dataset: name, reason: 'entries in the directory could not be read' });
  const incompleteReasons = reasons.sort(
    (a, b) => compareStrings(a.dataset, b.dataset) || compareStrings(a.reason, b.reason),
  );
  const incompleteDatasets = sortedUnique(incompleteReasons.map((r) => r.dataset));
  return {
    coverage: sortedKeys(coverage),
    complete: incompleteDatasets.length === 0,
    incompleteDatasets,
    incompleteReasons,
  };
}

/** The System Log's coverage for a control's summary (null: unknown, the control is incomplete). */
export function logCoverageSummary(ctx: EvidenceContext): SystemLogCoverage | null {
  return ctx.state.systemLog ?? null;
}

function sortedKeys<T>(record: Record<string, T>): Record<string, T> {
  const sorted: Record<string, T> = {};
  for (const key of Object.keys(record).sort(compareStrings)) sorted[key] = record[key] as T;
  return sorted;
}

/**
 * The log figures of the state: given as facts (folded here, the facts after
 * asOf ignored) or already folded by the caller for the same windows.
 */
function logFiguresOf(state: OrgState, asOfMs: number): LogFigures {
  const { events, figures } = state.logs;
  if (figures) {
    if (events.length > 0) throw new EvidenceInputError('log facts given both raw and folded');
    return figures;
  }
  const window = { startMs: asOfMs - SIGN_IN_WINDOW_DAYS * DAY_MS, endMs: asOfMs };
  return figuresOfLogs(timedFacts(events, asOfMs), window);
}

function indexById<T extends { id: string }>(items: T[], kind: string): Map<string, T> {
  const byId = new Map<string, T>();
  for (const item of items) {
    if (byId.has(item.id)) throw new EvidenceInputError(`duplicate ${kind} id ${item.id}`);
    byId.set(item.id, item);
  }
  return byId;
}

export function evidenceContext(state: OrgState): EvidenceContext {
  const asOfMs = parseTime(state.asOf);
  if (asOfMs === null) throw new EvidenceInputError(`asOf is not an ISO-8601 time: ${state.asOf}`);
  const groupsById = indexById(state.groups, 'group');
  indexById(state.apps, 'app');
  return {
    state,
    asOfMs,
    users: [...state.users].sort(compareUsers),
    usersById: indexById(state.users, 'user'),
    groupsById,
    groups: [...state.groups].sort(
      (a, b) => compareNullableStrings(a.name, b.name) || compareStrings(a.id, b.id),
    ),
    apps: [...state.apps].sort(
      (a, b) => compareNullableStrings(a.label, b.label) || compareStrings(a.id, b.id),
    ),
    logs: logFiguresOf(state, asOfMs),
  };
}

/** Lets each control run alone (from a state) or share one context (from computeEvidence). */
export function contextOf(source: OrgState | EvidenceContext): EvidenceContext {
  return 'asOfMs' in source ? source : evidenceContext(source);
}
