import { buildFactor, FACTOR_WEIGHTS } from './factor-catalog';
import { SimFactor, SimUser, UserStatus } from './model';
import { DEPARTMENTS, FIRST_NAMES, LAST_NAMES, TITLES } from './org-catalog';
import { Prng, uniqueId } from './prng';
import { DAY_MS, iso, MINUTE_MS } from './time';

/** Share of each non-ACTIVE status; ACTIVE takes the rest (~70 %). */
const STATUS_SHARES: ReadonlyArray<readonly [UserStatus, number]> = [
  ['DEPROVISIONED', 0.08],
  ['SUSPENDED', 0.05],
  ['PROVISIONED', 0.05],
  ['STAGED', 0.04],
  ['PASSWORD_EXPIRED', 0.03],
  ['LOCKED_OUT', 0.03],
  ['RECOVERY', 0.02],
];

type FactorMix = 'none' | 'pending' | 'one' | 'several';

export interface UserGenContext {
  prng: Prng;
  ids: Set<string>;
  anchorMs: number;
  emailDomain: string;
}

/** Exact quotas, shuffled: every status appears once the org has 8+ users. */
export function statusPlan(prng: Prng, count: number): UserStatus[] {
  const plan: UserStatus[] = [];
  for (const [status, share] of STATUS_SHARES) {
    const quota = Math.max(count >= 8 ? 1 : 0, Math.round(share * count));
    for (let i = 0; i < quota && plan.length < count - 1; i++) plan.push(status);
  }
  while (plan.length < count) plan.push('ACTIVE');
  prng.shuffle(plan);
  return plan;
}

interface Timeline {
  created: number;
  activated: number | null;
  statusChanged: number | null;
  lastLogin: number | null;
  passwordChanged: number | null;
}

/** Generates timestamps consistent with the status: created ≤ activated ≤ statusChanged ≤ now. */
function timeline(ctx: UserGenContext, status: UserStatus, forceRecent: boolean): Timeline {
  const { prng, anchorMs } = ctx;
  const latest = anchorMs - MINUTE_MS;
  const recentCreate = forceRecent && status === 'ACTIVE' ? true : prng.chance(0.06);
  const created = recentCreate
    ? latest - prng.between(DAY_MS / 4, 20 * DAY_MS)
    : latest - prng.between(90 * DAY_MS, 1800 * DAY_MS);
  if (status === 'STAGED') {
    return {
      created,
      activated: null,
      statusChanged: null,
      lastLogin: null,
      passwordChanged: null,
    };
  }
  const activated = Math.min(latest, created + prng.between(MINUTE_MS, 2 * DAY_MS));
  if (status === 'PROVISIONED') {
    return { created, activated, statusChanged: activated, lastLogin: null, passwordChanged: null };
  }
  const passwordChanged = prng.between(activated, latest);
  if (status === 'ACTIVE') {
    const roll = prng.float();
    let lastLogin: number | null = null;
    if (roll < 0.8) lastLogin = Math.max(activated, latest - prng.between(0, 14 * DAY_MS));
    else if (roll < 0.88)
      lastLogin = Math.max(activated, latest - prng.between(14 * DAY_MS, 89 * DAY_MS));
    else if (roll < 0.95)
      lastLogin = Math.max(activated, latest - prng.between(91 * DAY_MS, 400 * DAY_MS));
    return { created, activated, statusChanged: activated, lastLogin, passwordChanged };
  }
  let statusChanged: number;
  if (status === 'DEPROVISIONED') {
    const recent = forceRecent || prng.chance(0.4);
    statusChanged = recent
      ? latest - prng.between(forceRecent ? 0 : DAY_MS, forceRecent ? 3 * DAY_MS : 89 * DAY_MS)
      : latest - prng.between(91 * DAY_MS, 900 * DAY_MS);
  } else {
    statusChanged = latest - prng.between(0, 60 * DAY_MS);
  }
  statusChanged = Math.max(activated, statusChanged);
  const lastLogin = prng.chance(0.85) ? prng.between(activated, statusChanged) : null;
  return {
    created,
    activated,
    statusChanged,
    lastLogin,
    passwordChanged: Math.min(passwordChanged, statusChanged),
  };
}

function factorMix(prng: Prng, status: UserStatus): FactorMix {
  if (status === 'STAGED' || status === 'PROVISIONED') {
    return prng.chance(0.8) ? 'none' : 'pending';
  }
  if (status === 'DEPROVISIONED') {
    return prng.weighted<FactorMix>([
      ['none', 40],
      ['one', 40],
      ['several', 20],
    ]);
  }
  return prng.weighted<FactorMix>([
    ['none', 15],
    ['pending', 10],
    ['one', 45],
    ['several', 30],
  ]);
}

function distinctFactorTypes(prng: Prng, count: number): string[] {
  const chosen: string[] = [];
  while (chosen.length < count) {
    const type = prng.weighted(FACTOR_WEIGHTS);
    if (!chosen.includes(type)) chosen.push(type);
  }
  return chosen;
}

function generateFactors(
  ctx: UserGenContext,
  user: SimUser,
  mix: FactorMix,
  since: number,
): SimFactor[] {
  const { prng, anchorMs } = ctx;
  const latest = anchorMs - MINUTE_MS;
  const end =
    user.statusChanged && user.status === 'DEPROVISIONED' ? Date.parse(user.statusChanged) : latest;
  const created = (): string =>
    // ~6 % of enrollments are recent, so the System Log holds their activation events
    iso(
      prng.chance(0.06)
        ? Math.max(since, end - prng.between(0, 6 * DAY_MS))
        : prng.between(since, end),
    );
  if (mix === 'none') return [];
  if (mix === 'pending') {
    const [type] = distinctFactorTypes(prng, 1);
    return [buildFactor(prng, user, type ?? 'sms', 'PENDING_ACTIVATION', created(), ctx.ids)];
  }
  const count = mix === 'one' ? 1 : prng.int(2, 4);
  const factors = distinctFactorTypes(prng, count).map((type) =>
    buildFactor(prng, user, type, 'ACTIVE', created(), ctx.ids),
  );
  if (mix === 'several' && prng.chance(0.2)) {
    const [extra] = distinctFactorTypes(prng, 1).filter(
      (type) => !factors.some((f) => f.factorType === type),
    );
    if (extra)
      factors.push(buildFactor(prng, user, extra, 'PENDING_ACTIVATION', created(), ctx.ids));
  }
  return factors;
}

function nullableIso(value: number | null): string | null {
  return value === null ? null : iso(value);
}

/**
 * Generates `count` users. The first ACTIVE users get the four factor mixes in
 * turn, and one ACTIVE user is created (and one DEPROVISIONED user deactivated)
 * recently, so even a tiny org shows every case.
 */
export function generateUsers(ctx: UserGenContext, count: number): SimUser[] {
  const { prng } = ctx;
  const plan = statusPlan(prng, count);
  const logins = new Map<string, number>();
  const users: SimUser[] = [];
  const forcedMixes: FactorMix[] = ['none', 'pending', 'one', 'several'];
  let forcedRecentActive = false;
  let forcedRecentDeprovisioned = false;
  plan.forEach((status, index) => {
    const firstName = prng.pick(FIRST_NAMES);
    const lastName = prng.pick(LAST_NAMES);
    const base = `${firstName}.${lastName}`.toLowerCase();
    const seen = logins.get(base) ?? 0;
    logins.set(base, seen + 1);
    const login = `${seen === 0 ? base : `${base}${seen + 1}`}@${ctx.emailDomain}`;
    // one recent joiner and one recent leaver, so even a tiny org has both
    let forceRecent = false;
    if (status === 'ACTIVE' && !forcedRecentActive) {
      forceRecent = forcedRecentActive = true;
    } else if (status === 'DEPROVISIONED' && !forcedRecentDeprovisioned) {
      forceRecent = forcedRecentDeprovisioned = true;
    }
    const times = timeline(ctx, status, forceRecent);
    const user: SimUser = {
      id: uniqueId(prng, '00u', ctx.ids),
      status,
      created: iso(times.created),
      activated: nullableIso(times.activated),
      statusChanged: nullableIso(times.statusChanged),
      lastLogin: nullableIso(times.lastLogin),
      lastUpdated: iso(
        Math.max(times.created, times.statusChanged ?? 0, times.passwordChanged ?? 0),
      ),
      passwordChanged: nullableIso(times.passwordChanged),
      profile: {
        login,
        email: login,
        firstName,
        lastName,
        department: prng.pick(DEPARTMENTS),
        title: prng.pick(TITLES),
        employeeNumber: String(100000 + index),
      },
      provider: prng.chance(0.9)
        ? { type: 'OKTA', name: 'OKTA' }
        : { type: 'ACTIVE_DIRECTORY', name: 'corp.example.local' },
      factors: [],
      roles: [],
    };
    const mix =
      status === 'ACTIVE' && forcedMixes.length > 0
        ? (forcedMixes.shift() as FactorMix)
        : factorMix(prng, status);
    user.factors = generateFactors(ctx, user, mix, times.activated ?? times.created);
    users.push(user);
  });
  return users;
}
