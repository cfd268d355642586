import { appUserRef } from './log-events';
import { GeneratedLogSpec } from './log-model';
import { SimOrg, SimUser } from './model';
import { Prng } from './prng';
import { DAY_MS } from './time';

export interface LogSeed {
  publishedMs: number;
  eventType: string;
  spec: GeneratedLogSpec;
}

type NoiseKind =
  | 'login'
  | 'login-failure'
  | 'mfa'
  | 'sso'
  | 'policy'
  | 'group-add'
  | 'group-remove'
  | 'app-remove'
  | 'factor-deactivate'
  | 'factor-reset';

const NOISE_WEIGHTS: ReadonlyArray<readonly [NoiseKind, number]> = [
  ['login', 30],
  ['login-failure', 8],
  ['mfa', 15],
  ['sso', 20],
  ['policy', 12],
  ['group-add', 3],
  ['group-remove', 1],
  ['app-remove', 1],
  ['factor-deactivate', 1],
  ['factor-reset', 0.5],
];

const FAILURE_REASONS = ['INVALID_CREDENTIALS', 'VERIFICATION_ERROR', 'LOCKED_OUT'] as const;

/**
 * Share of an enrolled user's sign-ins that include an MFA verification (the
 * rest: a remembered device, or a policy that did not ask).
 */
export const ENROLLED_SIGN_IN_MFA_SHARE = 0.85;
/** The verification comes this many ms (at most) before the session starts. */
const MFA_BEFORE_SESSION_MS = 20_000;

/** Precomputed pools so drawing 150,000 events stays linear. */
export class LogDrawer {
  readonly admins: SimUser[];
  private readonly signers: SimUser[];
  private readonly unenrolled: SimUser[];
  private readonly active: SimUser[];

  /**
   * @param windowStartMs background sign-ins are drawn from users whose
   * `lastLogin` falls after it, and never after that `lastLogin`.
   */
  constructor(
    private readonly org: SimOrg,
    private readonly prng: Prng,
    private readonly windowStartMs: number,
  ) {
    const isAdmin = (user: SimUser) =>
      user.status === 'ACTIVE' &&
      user.roles.some((r) => r.type === 'SUPER_ADMIN' || r.type === 'ORG_ADMIN');
    this.admins = org.users.filter(isAdmin);
    if (this.admins.length === 0) this.admins.push(org.tokenOwner());
    this.active = org.users.filter((user) => user.status === 'ACTIVE');
    this.signers = this.active.filter(
      (user) => user.lastLogin !== null && Date.parse(user.lastLogin) >= windowStartMs,
    );
    this.unenrolled = this.active.filter((user) => user.factors.length === 0);
  }

  seed(publishedMs: number, eventType: string, spec: Omit<GeneratedLogSpec, 'salt'>): LogSeed {
    return { publishedMs, eventType, spec: { ...spec, salt: this.prng.int(0, 0xffffffff) } };
  }

  admin(): string {
    return this.prng.pick(this.admins).id;
  }

  /**
   * A successful sign-in as Okta logs it: for a user with an active factor
   * (most of the time) the MFA verification first, then the session start,
   * both carrying the same session and transaction ids.
   */
  signIn(user: SimUser, atMs: number): LogSeed[] {
    const none = { targetIds: [] as string[], result: 'SUCCESS', reason: null, detail: null };
    const factor = user.factors.find((f) => f.status === 'ACTIVE');
    const flow = this.prng.int(0, 0xffffffff);
    const session = this.seed(atMs, 'user.session.start', { ...none, actorId: user.id, flow });
    if (!factor || !this.prng.chance(ENROLLED_SIGN_IN_MFA_SHARE)) return [session];
    const verifiedMs = atMs - this.prng.int(1_000, MFA_BEFORE_SESSION_MS);
    const mfa = this.seed(verifiedMs, 'user.authentication.auth_via_mfa', {
      ...none,
      actorId: user.id,
      targetIds: [user.id],
      detail: factor.factorType,
      flow,
    });
    return [session, mfa];
  }

  /**
   * A background event at `publishedMs`. Successful sign-ins are drawn from users
   * who have signed in, and never after their `lastLogin`, so the log agrees
   * with the user objects.
   */
  noise(publishedMs: number): LogSeed[] {
    const { prng, org } = this;
    const kind = prng.weighted(NOISE_WEIGHTS);
    const signer = this.live(this.signers.length > 0 ? prng.pick(this.signers) : org.tokenOwner());
    const lastLogin = signer.lastLogin ? Date.parse(signer.lastLogin) : publishedMs;
    const from = Math.min(this.windowStartMs, lastLogin);
    const at =
      publishedMs <= lastLogin ? publishedMs : from + Math.floor(prng.float() * (lastLogin - from));
    const base = { targetIds: [] as string[], result: 'SUCCESS', reason: null, detail: null };
    switch (kind) {
      case 'login':
        return this.signIn(signer, at);
      case 'login-failure': {
        const user = this.active.length > 0 ? this.live(prng.pick(this.active)) : signer;
        return this.one(publishedMs, 'user.session.start', {
          ...base,
          actorId: user.id,
          result: 'FAILURE',
          reason: prng.pick(FAILURE_REASONS),
        });
      }
      case 'mfa': {
        const factor = signer.factors.find((f) => f.status === 'ACTIVE');
        return this.one(at, 'user.authentication.auth_via_mfa', {
          ...base,
          actorId: signer.id,
          targetIds: [signer.id],
          detail: factor?.factorType ?? null,
        });
      }
      case 'sso': {
        const app = prng.pick(org.apps);
        return this.one(at, 'user.authentication.sso', {
          ...base,
          actorId: signer.id,
          targetIds: [app.id],
        });
      }
      case 'policy':
        return this.one(at, 'policy.evaluate_sign_on', {
          ...base,
          actorId: signer.id,
          result: 'ALLOW',
        });
      case 'group-add':
      case 'group-remove':
        return this.membership(publishedMs, kind === 'group-add');
      case 'app-remove': {
        const app = prng.pick(org.apps);
        const user = prng.pick(org.users);
        if (app.directUsers.has(user.id)) return this.noise(publishedMs);
        return this.one(publishedMs, 'application.user_membership.remove', {
          ...base,
          actorId: this.admin(),
          targetIds: [appUserRef(app.id, user.id), app.id, user.id],
        });
      }
      case 'factor-deactivate':
        return this.one(publishedMs, 'user.mfa.factor.deactivate', {
          ...base,
          actorId: signer.id,
          targetIds: [signer.id],
          detail: 'sms',
        });
      case 'factor-reset': {
        const user = this.unenrolled.length > 0 ? prng.pick(this.unenrolled) : signer;
        return this.one(publishedMs, 'user.mfa.factor.reset_all', {
          ...base,
          actorId: this.admin(),
          targetIds: [user.id],
        });
      }
    }
  }

  /**
   * The pools are drawn when the drawer is built; a user changed since (by a
   * mutation: deactivated, deleted…) no longer signs in: the token owner does.
   */
  private live(user: SimUser): SimUser {
    return this.org.user(user.id) === user && user.status === 'ACTIVE'
      ? user
      : this.org.tokenOwner();
  }

  private one(publishedMs: number, eventType: string, spec: Omit<GeneratedLogSpec, 'salt'>) {
    return [this.seed(publishedMs, eventType, spec)];
  }

  /** A membership change consistent with today's membership. */
  private membership(publishedMs: number, add: boolean): LogSeed[] {
    const { prng, org } = this;
    const groups = org.groups.filter((group) => group.type === 'OKTA_GROUP');
    const group = groups.length > 0 ? prng.pick(groups) : org.everyone();
    let userId = group.memberIds.length > 0 ? prng.pick(group.memberIds) : org.tokenOwnerId;
    if (!add) {
      const outsider = prng.pick(org.users);
      if (group.members.has(outsider.id)) return this.noise(publishedMs);
      userId = outsider.id;
    }
    return this.one(
      publishedMs,
      add ? 'group.user_membership.add' : 'group.user_membership.remove',
      {
        actorId: this.admin(),
        targetIds: [userId, group.id],
        result: 'SUCCESS',
        reason: null,
        detail: null,
      },
    );
  }
}

function inWindow(value: string | null, from: number, to: number): number | null {
  if (value === null) return null;
  const at = Date.parse(value);
  return at >= from && at <= to ? at : null;
}

/** Events implied by the org itself: what happened to it in the last 7 days. */
function derivedEvents(org: SimOrg, drawer: LogDrawer, from: number, to: number): LogSeed[] {
  const seeds: LogSeed[] = [];
  const none = { result: 'SUCCESS', reason: null, detail: null };
  const logins: LogSeed[] = [];
  for (const user of org.users) {
    const admin = () => ({ ...none, actorId: drawer.admin(), targetIds: [user.id] });
    const created = inWindow(user.created, from, to);
    if (created !== null) seeds.push(drawer.seed(created, 'user.lifecycle.create', admin()));
    const activated = inWindow(user.activated, from, to);
    if (activated !== null) seeds.push(drawer.seed(activated, 'user.lifecycle.activate', admin()));
    const changed =
      user.activated === user.statusChanged ? null : inWindow(user.statusChanged, from, to);
    if (changed !== null) {
      const type = {
        DEPROVISIONED: 'user.lifecycle.deactivate',
        SUSPENDED: 'user.lifecycle.suspend',
        LOCKED_OUT: 'user.account.lock',
      }[user.status as string];
      if (type)
        seeds.push(
          drawer.seed(
            changed,
            type,
            type === 'user.account.lock' ? { ...admin(), actorId: user.id } : admin(),
          ),
        );
    }
    for (const factor of user.factors) {
      const at = factor.status === 'ACTIVE' ? inWindow(factor.created, from, to) : null;
      if (at !== null) {
        seeds.push(
          drawer.seed(at, 'user.mfa.factor.activate', {
            ...none,
            actorId: user.id,
            targetIds: [user.id],
            detail: factor.factorType,
          }),
        );
      }
    }
    for (const role of user.roles) {
      const at = inWindow(role.created, from, to);
      if (at !== null)
        seeds.push(
          drawer.seed(at, 'user.account.privilege.grant', { ...admin(), detail: role.type }),
        );
    }
    const lastLogin = inWindow(user.lastLogin, from, to);
    if (lastLogin !== null) logins.push(...drawer.signIn(user, lastLogin));
  }
  for (const group of org.roleGroups()) {
    for (const role of group.roles) {
      const at = inWindow(role.created, from, to);
      if (at !== null) {
        seeds.push(
          drawer.seed(at, 'group.privilege.grant', {
            ...none,
            actorId: drawer.admin(),
            targetIds: [group.id],
            detail: role.type,
          }),
        );
      }
    }
  }
  for (const app of org.apps) {
    for (const [userId, assigned] of app.directUsers) {
      const at = inWindow(assigned, from, to);
      if (at !== null) {
        seeds.push(
          drawer.seed(at, 'application.user_membership.add', {
            ...none,
            actorId: drawer.admin(),
            targetIds: [appUserRef(app.id, userId), app.id, userId],
          }),
        );
      }
    }
  }
  return [...seeds, ...logins];
}

/**
 * The initial System Log: exactly `total` events over the 7 days before the
 * anchor, derived events first (lifecycle, enrollments, grants, assignments,
 * last sign-ins), background sign-in traffic for the rest; sorted by published.
 */
export function generateInitialLog(
  org: SimOrg,
  prng: Prng,
  anchorMs: number,
  total: number,
): LogSeed[] {
  const from = anchorMs - 7 * DAY_MS;
  const to = anchorMs - 1000;
  const drawer = new LogDrawer(org, prng, from);
  const seeds = derivedEvents(org, drawer, from, to).slice(0, total);
  while (seeds.length < total)
    seeds.push(...drawer.noise(from + Math.floor(prng.float() * (to - from))));
  return seeds.slice(0, total).sort((a, b) => a.publishedMs - b.publishedMs);
}
