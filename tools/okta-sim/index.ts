/**
 * Okta org simulator: a real HTTP server that behaves like the Okta
 * Management API (paging, rate limits, System Log polling, errors, faults),
 * over a generated, deterministic org. Used by tests, benchmarks and the demo.
 */
import { AppAssignmentIndex } from './app-assignments';
import { createControlApi } from './control-api';
import { defaultFaults, FaultInjector } from './faults';
import { computeGroundTruth } from './ground-truth';
import { generateInitialLog } from './log-generator';
import { generateOrg } from './org-generator';
import { OktaSimServer } from './okta-sim.server';
import { OrgMutations } from './org-mutations';
import { Prng } from './prng';
import { applyRandomChanges } from './random-changes';
import { BucketName, RateLimiter, WORKFORCE_LIMITS } from './rate-limiter';
import { Router } from './route';
import { appRoutes } from './routes-apps';
import { groupRoutes } from './routes-groups';
import { logRoutes } from './routes-logs';
import { orgRoutes } from './routes-org';
import { userRoutes } from './routes-users';
import { OktaSim, OktaSimOptions, SimControlTarget } from './sim-types';
import { SystemLogStore } from './system-log';

export type { OktaSim, OktaSimOptions, RequestLogEntry, SimControlTarget } from './sim-types';
export type { BucketName } from './rate-limiter';
export type { SimFaults } from './faults';
export type {
  GroundTruth,
  GroundTruthUser,
  GroundTruthGroup,
  GroundTruthApp,
  GroundTruthCounts,
} from './ground-truth';
export type { OktaLogEvent } from './log-model';
export type {
  SimOrg,
  SimUser,
  SimGroup,
  SimApp,
  SimFactor,
  SimRoleAssignment,
  UserStatus,
} from './model';
export { USER_STATUSES } from './model';
export { BUCKETS, WORKFORCE_LIMITS } from './rate-limiter';
export type { AppliedChange, ChangeKind } from './random-changes';
export { CHANGE_KINDS } from './random-changes';
export type { RecordedEvent } from './org-mutations';
export { GRANTABLE_ROLES, SimNotFoundError } from './org-mutations';

/** The demo org's token (a fake org: printing it is fine). */
export const DEMO_TOKEN = '00demo-regentra-okta-sim-token';

/** The org, its System Log and the mutations over them: everything but HTTP. */
function buildOrg(opts: OktaSimOptions) {
  const seed = opts.seed ?? 1;
  const userCount = opts.users ?? 200;
  const now = opts.now ?? (() => new Date());
  const clock = () => now().getTime();
  const anchorMs = clock();
  const { org, ids } = generateOrg({
    seed,
    users: userCount,
    groups: opts.groups ?? Math.max(5, Math.round(userCount / 30)),
    apps: opts.apps ?? Math.max(3, Math.round(userCount / 60)),
    anchorMs,
    tokenOwnerRole: opts.tokenOwnerRole ?? 'READ_ONLY_ADMIN',
  });
  org.objectSize = opts.objectSize ?? 'small';
  const log = new SystemLogStore(clock, `okta-sim:${seed}:${org.id}`);
  const logPrng = new Prng(seed ^ 0x1badb002);
  for (const event of generateInitialLog(org, logPrng, anchorMs, opts.logEvents ?? userCount * 3)) {
    log.add({ ...event, uuid: logPrng.uuid() }, event.publishedMs);
  }
  const mutations = new OrgMutations(org, log, new Prng(seed ^ 0x5eed5eed), ids, now);
  return { seed, now, org, log, mutations };
}

export async function startOktaSim(opts: OktaSimOptions = {}): Promise<OktaSim> {
  const { seed, now, org, log, mutations } = buildOrg(opts);
  const faults = defaultFaults(opts.latencyMs ?? 0);
  if (opts.linkHeaderStyle) faults.linkHeaderStyle = opts.linkHeaderStyle;
  const windowMs = opts.rateWindowMs ?? 60_000;
  const limits = { ...WORKFORCE_LIMITS, ...stripUndefined(opts.rateLimits ?? {}) };
  const limiter = new RateLimiter(limits, windowMs);
  const token = opts.token ?? DEMO_TOKEN;
  // the control API and the programmatic API are the same methods
  const target: SimControlTarget = {
    faults,
    calls: () => server.calls(),
    statusCounts: () => server.statusCounts(),
    requestLog: () => server.requestLog(),
    resetCounters: () => server.resetCounters(),
    groundTruth: () => computeGroundTruth(org, log.visibleCount()),
    deactivateUser: (id) => mutations.deactivateUser(id),
    setUserStatus: (id, status) => mutations.setUserStatus(id, status),
    enrollFactor: (userId, type, status) => mutations.enrollFactor(userId, type, status),
    resetFactors: (userId) => mutations.resetFactors(userId),
    addGroupMember: (groupId, userId) => mutations.addGroupMember(groupId, userId),
    removeGroupMember: (groupId, userId) => mutations.removeGroupMember(groupId, userId),
    suspendUser: (id) => mutations.suspendUser(id),
    unsuspendUser: (id) => mutations.unsuspendUser(id),
    reactivateUser: (id) => mutations.reactivateUser(id),
    deleteUser: (id) => mutations.deleteUser(id),
    removeFactor: (userId, factorId, options) => mutations.removeFactor(userId, factorId, options),
    deleteGroup: (groupId) => mutations.deleteGroup(groupId),
    assignAppUser: (appId, userId) => mutations.assignAppUser(appId, userId),
    unassignAppUser: (appId, userId) => mutations.unassignAppUser(appId, userId),
    assignAppGroup: (appId, groupId, priority) =>
      mutations.assignAppGroup(appId, groupId, priority),
    unassignAppGroup: (appId, groupId) => mutations.unassignAppGroup(appId, groupId),
    activateApp: (appId) => mutations.activateApp(appId),
    deactivateApp: (appId) => mutations.deactivateApp(appId),
    deleteApp: (appId) => mutations.deleteApp(appId),
    grantUserRole: (userId, type) => mutations.grantUserRole(userId, type),
    revokeUserRole: (userId, role) => mutations.revokeUserRole(userId, role),
    grantGroupRole: (groupId, type) => mutations.grantGroupRole(groupId, type),
    revokeGroupRole: (groupId, role) => mutations.revokeGroupRole(groupId, role),
    applyRandomChanges: (changeSeed, count) =>
      applyRandomChanges(org, mutations, changeSeed, count),
    appendLogEvents: (events, options) => mutations.appendLogEvents(events, options?.visibleAt),
    setRateLimit: (bucket: BucketName, limit: number) => limiter.setLimit(bucket, limit),
    rateWindowPeaks: () => limiter.windowPeaks(),
    rateLimits: () => limiter.limitsSnapshot(),
  };
  const server = new OktaSimServer({
    org,
    log,
    assignments: new AppAssignmentIndex(org),
    router: new Router([...userRoutes, ...groupRoutes, ...appRoutes, ...logRoutes, ...orgRoutes]),
    limiter,
    faults: new FaultInjector(faults, new Prng(seed ^ 0xfa017)),
    token,
    concurrencyLimit: opts.concurrencyLimit ?? 75,
    windowMs,
    now,
    pipeline: opts.pipeline ?? 'idx',
    control: createControlApi(target),
  });
  const hostPort = await server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1');
  let grower: NodeJS.Timeout | undefined;
  if (opts.autoGrowLogs) {
    const perTick = opts.autoGrowLogs.eventsPerTick ?? 5;
    grower = setInterval(() => mutations.appendNoise(perTick), opts.autoGrowLogs.intervalMs);
    grower.unref();
  }
  return {
    ...target,
    url: `http://${hostPort}`,
    hostPort,
    token,
    org,
    close: async () => {
      if (grower) clearInterval(grower);
      await server.close();
    },
  };
}

function stripUndefined(
  limits: Partial<Record<BucketName, number>>,
): Partial<Record<BucketName, number>> {
  return Object.fromEntries(Object.entries(limits).filter(([, value]) => value !== undefined));
}
