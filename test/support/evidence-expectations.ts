import { CONTROL_IDS } from '../../apps/evidence-projector/src/evidence/rules/controls.registry';
import { projectorGet } from './apps';
/**
 * What the end-to-end tests expect of the evidence, stated independently of
 * the projector's own constants (a test that imported them could not catch a
 * changed definition). Which controls exist is not such a definition: it comes
 * from the registry (controls.registry.ts), and each figure below names its
 * control.
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

/** The ground truth's shape, as far as the expectations need it (tools/okta-sim's GroundTruth). */
export interface TruthLike {
  users: Array<{
    id: string;
    status: string;
    factors: Array<{ status: string }>;
    groupIds: string[];
    appIds: string[];
    directAppIds: string[];
    roles: string[];
  }>;
  groups: Array<{ id: string; type: string }>;
}

/** The four controls' key figures, computed from the simulator's ground truth alone. */
export function expectedFrom(truth: TruthLike) {
  const everyone = new Set(truth.groups.filter((g) => g.type === 'BUILT_IN').map((g) => g.id));
  const active = truth.users.filter((u) => ACTIVE.has(u.status));
  const enrolled = active.filter((u) => u.factors.some((f) => f.status === 'ACTIVE'));
  const enrolledIds = new Set(enrolled.map((u) => u.id));
  const deprovisioned = truth.users.filter((u) => u.status === 'DEPROVISIONED');
  const exceptions = deprovisioned.filter(
    (u) => u.appIds.length > 0 || u.groupIds.some((g) => !everyone.has(g)),
  );
  const counts = new Map<string, number>();
  for (const u of truth.users) counts.set(u.status, (counts.get(u.status) ?? 0) + 1);
  // The evidence's shape: statuses are values, sorted (rules/value-counts.ts).
  const byStatus = [...counts.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([value, count]) => ({ value, count }));
  return {
    activeUsers: active.length,
    enrolled: enrolled.length,
    withoutMfa: active
      .filter((u) => !enrolledIds.has(u.id))
      .map((u) => u.id)
      .sort(),
    deactivated: deprovisioned.length,
    exceptions: exceptions.map((u) => u.id).sort(),
    byStatus,
    superAdmins: truth.users
      .filter((u) => u.roles.includes('SUPER_ADMIN'))
      .map((u) => u.id)
      .sort(),
    roleHolders: truth.users.filter((u) => u.roles.length > 0).length,
    directAssignees: truth.users.filter((u) => u.directAppIds.length > 0).length,
    suspended: truth.users.filter((u) => u.status === 'SUSPENDED').length,
  };
}

/**
 * Every figure of the four controls that the ground truth determines, compared
 * with the evidence the read API served: the list of differences (empty = equal).
 * `itemIds` gives a control's list as sorted user ids (read through the API's paging).
 */
export async function differencesFromTruth(
  truth: TruthLike,
  summaryOf: (control: string) => Promise<Record<string, unknown>>,
  itemIds: (control: string, list: string) => Promise<string[]>,
): Promise<string[]> {
  const want = expectedFrom(truth);
  const diffs: string[] = [];
  // key order is not part of the evidence: compare with sorted keys
  const canonical = (value: unknown): string =>
    JSON.stringify(value, (_key, v: unknown) =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : v,
    );
  const same = (what: string, got: unknown, expected: unknown) => {
    if (canonical(got) !== canonical(expected))
      diffs.push(
        `${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(expected)}`.slice(0, 500),
      );
  };
  const auth = await summaryOf('authentication');
  same('authentication.activeUsers', auth.activeUsers, want.activeUsers);
  same('authentication.mfaEnrolled', auth.mfaEnrolled, want.enrolled);
  same('authentication.mfaUnknown', auth.mfaUnknown, 0);
  same('authentication.complete', auth.complete, true);
  same('authentication.withoutMfa', await itemIds('authentication', 'withoutMfa'), want.withoutMfa);
  const access = await summaryOf('access-review');
  same('access-review.usersByStatusCounts', access.usersByStatusCounts, want.byStatus);
  same('access-review.deactivatedUsers', access.deactivatedUsers, want.deactivated);
  same('access-review.exceptions', await itemIds('access-review', 'exceptions'), want.exceptions);
  const lp = await summaryOf('least-privilege');
  same('least-privilege.adminRoleHolders', lp.adminRoleHolders, want.roleHolders);
  same(
    'least-privilege.superAdmins',
    await itemIds('least-privilege', 'superAdmins'),
    want.superAdmins,
  );
  same(
    'least-privilege.usersWithDirectAppAssignments',
    lp.usersWithDirectAppAssignments,
    want.directAssignees,
  );
  const prov = await summaryOf('provisioning');
  same('provisioning.suspendedUsers', prov.suspendedUsers, want.suspended);
  return diffs;
}

/**
 * Waits until the read API serves the given sync's evidence for every control.
 * The projector writes the four controls' documents concurrently, so one
 * control showing a sync says nothing yet about the others.
 */
export async function waitForEvidenceOfSync(
  projectorUrl: string,
  orgId: string,
  syncId: string,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const control of CONTROL_IDS) {
    for (;;) {
      const response = await projectorGet(
        projectorUrl,
        `/v1/orgs/${orgId}/evidence/${control}?limit=1`,
      );
      if (response.status === 200 && ((await response.json()) as Evidence).syncId === syncId) break;
      if (Date.now() > deadline)
        throw new Error(`evidence of ${syncId} for ${control} not served within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
