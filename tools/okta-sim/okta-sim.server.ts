import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { AppAssignmentIndex } from './app-assignments';
import { errorBody, OktaApiError, oktaErrors, randomAlnum } from './errors';
import { FaultAction, FaultInjector } from './faults';
import { SimOrg } from './model';
import { linkHeader } from './pagination';
import { BucketName, RateLimiter, RateState } from './rate-limiter';
import { ApiResult, RouteContext, RouteMatch, Router } from './route';
import { RequestLogEntry } from './sim-types';
import { SystemLogStore } from './system-log';

export interface ServerDeps {
  org: SimOrg;
  log: SystemLogStore;
  assignments: AppAssignmentIndex;
  router: Router;
  limiter: RateLimiter;
  faults: FaultInjector;
  token: string;
  concurrencyLimit: number;
  windowMs: number;
  now: () => Date;
  pipeline: 'idx' | 'v1';
  /** Handles `/__sim/*` (the control API). */
  control(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
}

const REQUEST_LOG_CAP = 200_000;
const HOST_HEADER = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/** Faults that answer an Okta error. */
const FAULT_ERRORS: Partial<Record<NonNullable<FaultAction>, () => OktaApiError>> = {
  storm429: oktaErrors.rateLimited,
  burst503: oktaErrors.unavailable,
  error500: oktaErrors.internal,
  forbidden: oktaErrors.forbidden,
};

/** Resolves on `drain` or `close`, leaving no listener behind. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface Answer {
  status: number;
  body?: unknown;
  rate: RateState | null;
  links?: string | string[];
  malformed?: boolean;
  /** Faults that change how the body is written. */
  drip?: boolean;
  oversized?: boolean;
}

/** The Okta-imitating HTTP server: auth, rate limits, faults, routing, answers. */
export class OktaSimServer {
  private readonly server: Server;
  private readonly counts = new Map<string, number>();
  private readonly statuses = new Map<number, number>();
  private requests: RequestLogEntry[] = [];
  private inFlight = 0;
  private revoked = false;
  private pagedAnswers = 0;
  private hostPort = '127.0.0.1:0';
  private closing: Promise<void> | null = null;

  constructor(private readonly deps: ServerDeps) {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => this.crash(res, error));
    });
    this.server.keepAliveTimeout = 5000;
  }

  async listen(port: number, host: string): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address() as AddressInfo;
    this.hostPort = `${host.includes(':') ? `[${host}]` : host}:${address.port}`;
    return this.hostPort;
  }

  /** Stops listening and destroys every socket, hanging requests included. */
  close(): Promise<void> {
    if (!this.closing) {
      this.closing = new Promise<void>((resolve) => this.server.close(() => resolve()));
      this.server.closeAllConnections();
    }
    return this.closing;
  }

  revokeToken(): void {
    this.revoked = true;
  }

  calls(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  statusCounts(): Record<string, number> {
    return Object.fromEntries([...this.statuses].map(([status, n]) => [String(status), n]));
  }

  requestLog(): RequestLogEntry[] {
    return this.requests.map((entry) => ({ ...entry }));
  }

  resetCounters(): void {
    this.counts.clear();
    this.statuses.clear();
    this.requests = [];
  }

  private record(method: string, template: string, url: URL, bucket: BucketName): RequestLogEntry {
    const key = `${method} ${template}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    const entry: RequestLogEntry = {
      at: Date.now(),
      method,
      path: url.pathname,
      query: url.search,
      status: 0,
      bucket,
    };
    if (this.requests.length >= REQUEST_LOG_CAP)
      this.requests = this.requests.slice(REQUEST_LOG_CAP / 4);
    this.requests.push(entry);
    return entry;
  }

  private authorized(req: IncomingMessage): boolean {
    if (this.revoked || this.deps.org.tokenOwner().status === 'DEPROVISIONED') return false;
    return req.headers.authorization === `SSWS ${this.deps.token}`;
  }

  private base(req: IncomingMessage): string {
    const host = req.headers.host;
    return `http://${host && HOST_HEADER.test(host) ? host : this.hostPort}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    if (url.pathname === '/__sim' || url.pathname.startsWith('/__sim/')) {
      await this.deps.control(req, res, url);
      return;
    }
    req.resume();
    const method = (req.method ?? 'GET').toUpperCase();
    const match = this.deps.router.match(method, url.pathname);
    const template =
      match.kind === 'found'
        ? match.def.template
        : match.kind === 'wrong-method'
          ? match.template
          : '(unmatched)';
    const bucket: BucketName =
      match.kind === 'found'
        ? match.def.bucket
        : match.kind === 'wrong-method'
          ? match.bucket
          : 'other';
    const entry = this.record(method, template, url, bucket);
    this.inFlight++;
    res.once('close', () => this.inFlight--);
    const answer = this.decide(req, res, url, match, bucket);
    if (answer === null) return;
    await this.write(res, entry, answer);
  }

  /** Everything before the handler: concurrency, auth, rate limit, faults. null = no answer (hang/reset). */
  private decide(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    match: RouteMatch,
    bucket: BucketName,
  ): Answer | null {
    const { limiter, faults } = this.deps;
    if (match.kind === 'found' && !match.def.auth) {
      // unauthenticated and unmetered; the headers show the bucket without spending it
      return this.run(req, url, match.def.handle, match.params, limiter.peek(bucket));
    }
    if (this.inFlight > this.deps.concurrencyLimit) {
      const resetEpochSeconds = Math.ceil((Date.now() + this.deps.windowMs) / 1000);
      const rate = { allowed: false, limit: 0, remaining: 0, resetEpochSeconds };
      return { status: 429, body: errorBody(oktaErrors.rateLimited()), rate };
    }
    if (!this.authorized(req) || faults.tokenRejected(url.pathname)) {
      return {
        status: 401,
        body: errorBody(oktaErrors.invalidToken()),
        rate: limiter.peek(bucket),
      };
    }
    const rate = limiter.consume(bucket);
    if (!rate.allowed) return { status: 429, body: errorBody(oktaErrors.rateLimited()), rate };
    const fault = faults.next(url.pathname);
    if (fault === 'reset') req.socket.destroy();
    if (fault === 'reset' || fault === 'hang') return null;
    if (fault === 'farReset') {
      const seconds = faults.faults.farResetSeconds ?? 20 * 86_400;
      const resetEpochSeconds = Math.ceil(Date.now() / 1000) + seconds;
      const shown = { ...rate, remaining: 0, resetEpochSeconds };
      return { status: 429, body: errorBody(oktaErrors.rateLimited()), rate: shown };
    }
    if (fault === 'oversized') return { status: 200, body: [], rate, oversized: true };
    const injected = fault ? FAULT_ERRORS[fault] : undefined;
    if (injected) {
      const error = injected();
      const shown = error.status === 429 ? { ...rate, remaining: 0 } : rate;
      return { status: error.status, body: errorBody(error), rate: shown };
    }
    if (match.kind === 'none') {
      return { status: 404, body: errorBody(oktaErrors.notFound(`${url.pathname} (Path)`)), rate };
    }
    if (match.kind === 'wrong-method') {
      return { status: 405, body: errorBody(oktaErrors.methodNotAllowed()), rate };
    }
    if (res.destroyed) return null;
    const answer = this.run(req, url, match.def.handle, match.params, rate);
    return { ...answer, malformed: fault === 'malformed', drip: fault === 'drip' };
  }

  private run(
    req: IncomingMessage,
    url: URL,
    handle: (ctx: RouteContext) => ApiResult,
    params: Record<string, string>,
    rate: RateState | null,
  ): Answer {
    const base = this.base(req);
    const ctx: RouteContext = {
      org: this.deps.org,
      params,
      query: url.searchParams,
      selfUrl: `${base}${url.pathname}${url.search}`,
      base,
      path: url.pathname,
      log: this.deps.log,
      assignments: this.deps.assignments,
      now: this.deps.now,
      revokeToken: () => this.revokeToken(),
      pipeline: this.deps.pipeline,
    };
    try {
      const result = handle(ctx);
      const answer: Answer = { status: result.status, body: result.body, rate };
      if (result.paging) {
        const joined = this.joinLinks();
        const next = this.deps.faults.faults.loopNextLink ? ctx.selfUrl : result.paging.next;
        answer.links = linkHeader(ctx.selfUrl, next, joined);
      }
      return answer;
    } catch (error) {
      if (error instanceof OktaApiError)
        return { status: error.status, body: errorBody(error), rate };
      throw error;
    }
  }

  private joinLinks(): boolean {
    const style = this.deps.faults.faults.linkHeaderStyle ?? 'mixed';
    if (style === 'mixed') return this.pagedAnswers++ % 2 === 1;
    return style === 'joined';
  }

  private async write(res: ServerResponse, entry: RequestLogEntry, answer: Answer): Promise<void> {
    const latency = this.deps.faults.faults.latencyMs;
    if (latency > 0) await sleep(latency);
    if (res.destroyed || res.writableEnded) return;
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('X-Okta-Request-Id', randomAlnum(27));
    if (answer.rate) {
      res.setHeader('X-Rate-Limit-Limit', String(answer.rate.limit));
      res.setHeader('X-Rate-Limit-Remaining', String(answer.rate.remaining));
      res.setHeader('X-Rate-Limit-Reset', String(answer.rate.resetEpochSeconds));
    }
    if (answer.links) res.setHeader('Link', answer.links);
    entry.status = answer.status;
    this.statuses.set(answer.status, (this.statuses.get(answer.status) ?? 0) + 1);
    res.statusCode = answer.status;
    if (answer.status === 204 || answer.body === undefined) {
      res.end();
      return;
    }
    if (answer.oversized) return this.writeOversized(res);
    const text = JSON.stringify(answer.body);
    if (answer.drip) return this.drip(res, text);
    // a strict prefix of a JSON object or array is never valid JSON
    res.end(answer.malformed ? text.slice(0, Math.max(1, Math.floor(text.length / 2))) : text);
  }

  /** A JSON array of `oversizedBodyBytes`, chunked, written as fast as the client reads. */
  private async writeOversized(res: ServerResponse): Promise<void> {
    const total = this.deps.faults.faults.oversizedBodyBytes ?? 64 * 1024 * 1024;
    const item = JSON.stringify({ id: 'x', pad: 'y'.repeat(1000) });
    const chunk = Buffer.from(`${item},`.repeat(64));
    res.write('[');
    for (let sent = 1; sent + chunk.length < total && !res.destroyed; sent += chunk.length) {
      if (!res.write(chunk)) await drained(res);
    }
    if (!res.destroyed) res.end(`${item}]`);
  }

  /** The body one byte at a time (a server that stalls without ever going idle). */
  private async drip(res: ServerResponse, text: string): Promise<void> {
    const interval = this.deps.faults.faults.dripIntervalMs ?? 100;
    const bytes = Buffer.from(text);
    res.setHeader('Content-Length', String(bytes.length));
    for (let i = 0; i < bytes.length && !res.destroyed; i++) {
      res.write(bytes.subarray(i, i + 1));
      await sleep(interval);
    }
    if (!res.destroyed) res.end();
  }

  private crash(res: ServerResponse, error: unknown): void {
    process.stderr.write(
      `okta-sim: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    if (res.headersSent || res.destroyed) {
      res.destroy();
      return;
    }
    res.statusCode = 500;
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify(errorBody(new OktaApiError(500, 'E0000009', 'Internal Server Error'))));
  }
}
