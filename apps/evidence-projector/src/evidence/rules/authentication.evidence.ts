import type { CompletenessSummary, ControlEvidence, UserRef } from './control-evidence.types';
import {
  compareByLoginThenId,
  compareStrings,
  completeness,
  contextOf,
  EvidenceContext,
  isActiveUser,
  logCoverageSummary,
  sortedUnique,
  userRef,
  windowBefore,
} from './evidence-context';
import {
  ACTIVE_USER_STATUSES,
  ENROLLED_FACTOR_STATUS,
  MFA_MATCH_AFTER_MS,
  MFA_MATCH_BEFORE_MS,
  SIGN_IN_WINDOW_DAYS,
} from './evidence-rules';
import type { OrgState, OrgUserState, SystemLogCoverage } from './org-state';
import type { MfaMatch } from '../../log-facts/sign-in-mfa';
import { valueCounts, type ValueCount } from './value-counts';

export const AUTHENTICATION_DATASETS = ['users', 'factors', 'systemLog'] as const;

export type MfaState = 'enrolled' | 'not-enrolled' | 'unknown';
export type ActiveUserMfaItem = UserRef & { mfa: MfaState; activeFactorTypes: string[] };
export type FactorItem = { factorType: string; status: string };
/** A read user with no ACTIVE factor; `factors` shows what they have (PENDING_ACTIVATION, …). */
export type UserWithoutMfaItem = UserRef & { factors: FactorItem[] };
export type MfaUnknownItem = UserRef & { reason: string };
/** Sign-in figures of one actor; status null when the actor is not a user of the sync. */
export type SignInActivityItem = {
  userId: string;
  login: string | null;
  email: string | null;
  status: string | null;
  signIns: number;
  withMfa: number;
  withoutMfa: number;
  failed: number;
  /** Latest successful user.session.start of the actor in the logs given (any age). */
  lastSignIn: string | null;
};

/** An exact fraction (`mfaCoverage`: enrolled / active, unknowns counted uncovered). */
export type Fraction = { numerator: number; denominator: number };

export type SignInSummary = {
  windowDays: number;
  windowStart: string;
  windowEnd: string;
  successful: number;
  withMfa: number;
  withoutMfa: number;
  /** How the sign-ins with MFA were matched to their verification. */
  withMfaBy: Record<MfaMatch, number>;
  failed: number;
  mfaVerifications: number;
  /** Distinct actors with a successful sign-in in the window. */
  usersSignedIn: number;
  mfaMatchBeforeMinutes: number;
  mfaMatchAfterMinutes: number;
};

export type AuthenticationSummary = CompletenessSummary & {
  activeStatuses: string[];
  activeUsers: number;
  /** Active users with at least one ACTIVE factor. */
  mfaEnrolled: number;
  /** Active users whose factors were read and none is ACTIVE. */
  mfaNotEnrolled: number;
  /** Active users whose factors could not be read: in neither figure above. */
  mfaUnknown: number;
  /**
   * enrolled / active: a user whose factors could not be read counts as not
   * covered, so this is the lower bound and never exceeds enrolled ÷ active
   * (docs/read-models.md, "MFA coverage").
   */
  mfaCoverage: Fraction;
  /** 100 × mfaCoverage, 2 decimals; null when there is no active user. */
  mfaCoveragePercent: number | null;
  /** (enrolled + unknown) / active: the upper bound, were every unknown user enrolled. */
  mfaCoverageUpper: Fraction;
  /** 100 × mfaCoverageUpper, 2 decimals; null when there is no active user. */
  mfaCoverageUpperPercent: number | null;
  /** Active users per ACTIVE factor type, sorted by type (values, never keys: value-counts.ts). */
  factorTypeCounts: ValueCount[];
  signIns: SignInSummary;
  /** What the System Log polls read (null: unknown). */
  logCoverage: SystemLogCoverage | null;
};

export type AuthenticationItems = {
  activeUsers: ActiveUserMfaItem[];
  withoutMfa: UserWithoutMfaItem[];
  mfaUnknown: MfaUnknownItem[];
  signInActivity: SignInActivityItem[];
};

export type AuthenticationEvidence = ControlEvidence<
  'authentication',
  AuthenticationSummary,
  AuthenticationItems
>;

/** Percentage with 2 decimals, or null for an empty denominator. */
export function percent(fraction: Fraction): number | null {
  if (fraction.denominator === 0) return null;
  return Math.round((fraction.numerator * 10000) / fraction.denominator) / 100;
}

function mfaItems(ctx: EvidenceContext) {
  const activeUsers: ActiveUserMfaItem[] = [];
  const withoutMfa: UserWithoutMfaItem[] = [];
  const mfaUnknown: MfaUnknownItem[] = [];
  const factorTypes = new Map<string, number>();
  for (const user of ctx.users) {
    if (!isActiveUser(user)) continue;
    const ref = userRef(user);
    if (user.factors.status === 'unknown') {
      activeUsers.push({ ...ref, mfa: 'unknown', activeFactorTypes: [] });
      mfaUnknown.push({ ...ref, reason: user.factors.reason });
      continue;
    }
    const active = sortedUnique(
      user.factors.items
        .filter((f) => f.status === ENROLLED_FACTOR_STATUS)
        .map((f) => f.factorType),
    );
    for (const type of active) factorTypes.set(type, (factorTypes.get(type) ?? 0) + 1);
    activeUsers.push({
      ...ref,
      mfa: active.length > 0 ? 'enrolled' : 'not-enrolled',
      activeFactorTypes: active,
    });
    if (active.length === 0) withoutMfa.push({ ...ref, factors: factorItems(user) });
  }
  return { activeUsers, withoutMfa, mfaUnknown, factorTypeCounts: valueCounts(factorTypes) };
}

function factorItems(user: OrgUserState): FactorItem[] {
  if (user.factors.status !== 'read') return [];
  return user.factors.items
    .map((f) => ({ factorType: f.factorType, status: f.status }))
    .sort(
      (a, b) => compareStrings(a.factorType, b.factorType) || compareStrings(a.status, b.status),
    );
}

function signInActivity(ctx: EvidenceContext): SignInActivityItem[] {
  const items: SignInActivityItem[] = [];
  // Actors whose last sign-in is older than the window still get their line.
  for (const [actorId, actor] of ctx.logs.actors) {
    const user = ctx.usersById.get(actorId);
    items.push({
      userId: actorId,
      login: user?.login ?? null,
      email: user?.email ?? null,
      status: user?.status ?? null,
      signIns: actor.signIns,
      withMfa: actor.withMfa,
      withoutMfa: actor.withoutMfa,
      failed: actor.failed,
      lastSignIn: actor.lastSignIn?.published ?? null,
    });
  }
  return items.sort(compareByLoginThenId);
}

function signInSummary(ctx: EvidenceContext): SignInSummary {
  const window = windowBefore(ctx, SIGN_IN_WINDOW_DAYS);
  const { totals } = ctx.logs;
  const withMfaBy: Record<MfaMatch, number> = { ...totals.withMfaBy };
  const withMfa = withMfaBy.session + withMfaBy.time + withMfaBy.transaction;
  let usersSignedIn = 0;
  for (const actor of ctx.logs.actors.values()) if (actor.signIns > 0) usersSignedIn++;
  return {
    windowDays: window.days,
    windowStart: window.start,
    windowEnd: window.end,
    successful: totals.successful,
    withMfa,
    withoutMfa: totals.successful - withMfa,
    withMfaBy,
    failed: totals.failed,
    mfaVerifications: totals.mfaVerifications,
    usersSignedIn,
    mfaMatchBeforeMinutes: MFA_MATCH_BEFORE_MS / 60000,
    mfaMatchAfterMinutes: MFA_MATCH_AFTER_MS / 60000,
  };
}

/** MFA enrollment of every active user, and sign-ins with MFA over the last 30 days. */
export function authenticationEvidence(source: OrgState | EvidenceContext): AuthenticationEvidence {
  const ctx = contextOf(source);
  const mfa = mfaItems(ctx);
  const enrolled = mfa.activeUsers.filter((u) => u.mfa === 'enrolled').length;
  // Unknowns on the uncovered side: the published figure is the lower bound.
  const coverage: Fraction = { numerator: enrolled, denominator: mfa.activeUsers.length };
  const upper: Fraction = {
    numerator: enrolled + mfa.mfaUnknown.length,
    denominator: mfa.activeUsers.length,
  };
  return {
    orgId: ctx.state.orgId,
    control: 'authentication',
    asOf: ctx.state.asOf,
    syncId: ctx.state.syncId,
    summary: {
      activeStatuses: [...ACTIVE_USER_STATUSES],
      activeUsers: mfa.activeUsers.length,
      mfaEnrolled: enrolled,
      mfaNotEnrolled: mfa.withoutMfa.length,
      mfaUnknown: mfa.mfaUnknown.length,
      mfaCoverage: coverage,
      mfaCoveragePercent: percent(coverage),
      mfaCoverageUpper: upper,
      mfaCoverageUpperPercent: percent(upper),
      factorTypeCounts: mfa.factorTypeCounts,
      signIns: signInSummary(ctx),
      logCoverage: logCoverageSummary(ctx),
      ...completeness(ctx, AUTHENTICATION_DATASETS, mfa.mfaUnknown.length > 0 ? ['factors'] : []),
    },
    items: {
      activeUsers: mfa.activeUsers,
      withoutMfa: mfa.withoutMfa,
      mfaUnknown: mfa.mfaUnknown,
      signInActivity: signInActivity(ctx),
    },
  };
}
