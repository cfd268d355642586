import { IncomingMessage, ServerResponse } from 'node:http';
import { applyFaultPatch, faultsJson } from './faults';
import { OktaLogEvent } from './log-model';
import { SimNotFoundError } from './org-mutations';
import { BUCKETS, BucketName } from './rate-limiter';
import { SimControlTarget } from './sim-types';

const MAX_BODY_BYTES = 16 * 1024 * 1024;

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(new ControlError(413, 'body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8').trim();
      if (text === '') return resolve({});
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new ControlError(400, 'body is not JSON'));
      }
    });
    req.on('error', reject);
  });
}

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null
    ? (body as Record<string, unknown>)[name]
    : undefined;
}

function requireString(body: unknown, name: string): string {
  const value = field(body, name);
  if (typeof value !== 'string' || value === '')
    throw new ControlError(400, `"${name}" must be a non-empty string`);
  return value;
}

type Handler = (params: string[], body: unknown) => unknown;

/**
 * `/__sim/*`: drives the simulator from another process (demo, benchmarks).
 * Requires `X-Sim-Control: 1`; never the Okta token, never counted as Okta traffic.
 */
export function createControlApi(sim: SimControlTarget) {
  const routes: Array<[string, RegExp, Handler]> = [
    ['GET', /^\/__sim\/calls$/, () => sim.calls()],
    ['GET', /^\/__sim\/status-counts$/, () => sim.statusCounts()],
    ['GET', /^\/__sim\/request-log$/, () => sim.requestLog()],
    ['GET', /^\/__sim\/ground-truth$/, () => sim.groundTruth()],
    ['GET', /^\/__sim\/faults$/, () => faultsJson(sim.faults)],
    [
      'GET',
      /^\/__sim\/rate-windows$/,
      () => ({ limits: sim.rateLimits(), peaks: sim.rateWindowPeaks() }),
    ],
    ['POST', /^\/__sim\/reset-counters$/, () => (sim.resetCounters(), { ok: true })],
    [
      'POST',
      /^\/__sim\/faults$/,
      (_p, body) => {
        const problem = applyFaultPatch(sim.faults, body);
        if (problem) throw new ControlError(400, problem);
        return faultsJson(sim.faults);
      },
    ],
    [
      'POST',
      /^\/__sim\/rate-limits$/,
      (_p, body) => {
        for (const [bucket, limit] of Object.entries(
          typeof body === 'object' && body !== null ? body : {},
        )) {
          if (!BUCKETS.includes(bucket as BucketName) || typeof limit !== 'number' || limit < 0) {
            throw new ControlError(400, `invalid rate limit ${bucket}=${String(limit)}`);
          }
          sim.setRateLimit(bucket as BucketName, limit);
        }
        return { ok: true };
      },
    ],
    [
      'POST',
      /^\/__sim\/users\/([^/]+)\/deactivate$/,
      ([id = '']) => (sim.deactivateUser(id), { ok: true }),
    ],
    [
      'POST',
      /^\/__sim\/users\/([^/]+)\/status$/,
      ([id = ''], body) => (sim.setUserStatus(id, requireString(body, 'status')), { ok: true }),
    ],
    [
      'POST',
      /^\/__sim\/users\/([^/]+)\/factors$/,
      ([id = ''], body) => {
        const status = field(body, 'status');
        return {
          id: sim.enrollFactor(
            id,
            requireString(body, 'factorType'),
            typeof status === 'string' ? status : undefined,
          ),
        };
      },
    ],
    [
      'POST',
      /^\/__sim\/users\/([^/]+)\/factors\/reset$/,
      ([id = '']) => (sim.resetFactors(id), { ok: true }),
    ],
    [
      'POST',
      /^\/__sim\/groups\/([^/]+)\/members$/,
      ([id = ''], body) => (sim.addGroupMember(id, requireString(body, 'userId')), { ok: true }),
    ],
    [
      'DELETE',
      /^\/__sim\/groups\/([^/]+)\/members\/([^/]+)$/,
      ([id = '', userId = '']) => (sim.removeGroupMember(id, userId), { ok: true }),
    ],
    [
      'POST',
      /^\/__sim\/apps\/([^/]+)\/users$/,
      ([id = ''], body) => (sim.assignAppUser(id, requireString(body, 'userId')), { ok: true }),
    ],
    [
      'POST',
      /^\/__sim\/users\/([^/]+)\/(suspend|unsuspend|reactivate)$/,
      ([id = '', op = '']) => {
        if (op === 'suspend') sim.suspendUser(id);
        else if (op === 'unsuspend') sim.unsuspendUser(id);
        else sim.reactivateUser(id);
        return { ok: true };
      },
    ],
    ['DELETE', /^\/__sim\/users\/([^/]+)$/, ([id = '']) => (sim.deleteUser(id), { ok: true })],
    [
      'DELETE',
      /^\/__sim\/users\/([^/]+)\/factors\/([^/]+)$/,
      ([id = '', factorId = ''], body) => (
        sim.removeFactor(id, factorId, { byUser: field(body, 'byUser') === true }),
        { ok: true }
      ),
    ],
    [
      'POST',
      /^\/__sim\/users\/([^/]+)\/roles$/,
      ([id = ''], body) => ({ id: sim.grantUserRole(id, requireString(body, 'type')) }),
    ],
    [
      'DELETE',
      /^\/__sim\/users\/([^/]+)\/roles\/([^/]+)$/,
      ([id = '', role = '']) => (sim.revokeUserRole(id, role), { ok: true }),
    ],
    ['DELETE', /^\/__sim\/groups\/([^/]+)$/, ([id = '']) => (sim.deleteGroup(id), { ok: true })],
    [
      'POST',
      /^\/__sim\/groups\/([^/]+)\/roles$/,
      ([id = ''], body) => ({ id: sim.grantGroupRole(id, requireString(body, 'type')) }),
    ],
    [
      'DELETE',
      /^\/__sim\/groups\/([^/]+)\/roles\/([^/]+)$/,
      ([id = '', role = '']) => (sim.revokeGroupRole(id, role), { ok: true }),
    ],
    [
      'DELETE',
      /^\/__sim\/apps\/([^/]+)\/users\/([^/]+)$/,
      ([id = '', userId = '']) => (sim.unassignAppUser(id, userId), { ok: true }),
    ],
    [
      'POST',
      /^\/__sim\/apps\/([^/]+)\/groups$/,
      ([id = ''], body) => {
        const priority = field(body, 'priority');
        if (priority !== undefined && (typeof priority !== 'number' || !Number.isInteger(priority)))
          throw new ControlError(400, '"priority" must be an integer');
        sim.assignAppGroup(id, requireString(body, 'groupId'), priority);
        return { ok: true };
      },
    ],
    [
      'DELETE',
      /^\/__sim\/apps\/([^/]+)\/groups\/([^/]+)$/,
      ([id = '', groupId = '']) => (sim.unassignAppGroup(id, groupId), { ok: true }),
    ],
    [
      'POST',
      /^\/__sim\/apps\/([^/]+)\/(activate|deactivate)$/,
      ([id = '', op = '']) => {
        if (op === 'activate') sim.activateApp(id);
        else sim.deactivateApp(id);
        return { ok: true };
      },
    ],
    ['DELETE', /^\/__sim\/apps\/([^/]+)$/, ([id = '']) => (sim.deleteApp(id), { ok: true })],
    [
      'POST',
      /^\/__sim\/random-changes$/,
      (_p, body) => {
        const seed = field(body, 'seed');
        const count = field(body, 'count');
        if (typeof seed !== 'number' || !Number.isInteger(seed))
          throw new ControlError(400, '"seed" must be an integer');
        if (typeof count !== 'number' || !Number.isInteger(count) || count < 0)
          throw new ControlError(400, '"count" must be a non-negative integer');
        return { changes: sim.applyRandomChanges(seed, count) };
      },
    ],
    [
      'POST',
      /^\/__sim\/logs$/,
      (_p, body) => {
        const events = field(body, 'events');
        if (!Array.isArray(events) || events.some((e) => typeof e !== 'object' || e === null)) {
          throw new ControlError(400, '"events" must be an array of objects');
        }
        const visibleAt = field(body, 'visibleAt');
        let at: Date | undefined;
        if (visibleAt !== undefined && visibleAt !== null) {
          at = new Date(String(visibleAt));
          if (Number.isNaN(at.getTime()))
            throw new ControlError(400, '"visibleAt" must be an ISO timestamp');
        }
        return {
          uuids: sim.appendLogEvents(events as Array<Partial<OktaLogEvent>>, { visibleAt: at }),
        };
      },
    ],
  ];

  return async function handleControl(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
  ): Promise<void> {
    const reply = (status: number, body: unknown) => {
      res.statusCode = status;
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify(body));
    };
    try {
      if (req.headers['x-sim-control'] !== '1')
        throw new ControlError(403, 'the control API needs the header X-Sim-Control: 1');
      const method = (req.method ?? 'GET').toUpperCase();
      for (const [routeMethod, pattern, handler] of routes) {
        const found = pattern.exec(url.pathname);
        if (!found || routeMethod !== method) continue;
        const body = method === 'GET' ? undefined : await readJson(req);
        reply(200, handler(found.slice(1).map(decodeURIComponent), body));
        return;
      }
      throw new ControlError(404, `no control route ${method} ${url.pathname}`);
    } catch (error) {
      if (!req.readableEnded) req.resume();
      if (error instanceof ControlError) reply(error.status, { error: error.message });
      else if (error instanceof SimNotFoundError) reply(404, { error: error.message });
      else reply(400, { error: error instanceof Error ? error.message : String(error) });
    }
  };
}
