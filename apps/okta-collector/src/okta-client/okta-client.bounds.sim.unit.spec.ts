import { startOktaSim, type OktaSim, type SimFaults } from '../../../../tools/okta-sim';
import { validateOktaDomain } from './okta-domain';
import {
  OktaPaginationLoopError,
  OktaRateLimitWaitTooLongError,
  OktaResponseTooLargeError,
  OktaTransientError,
} from './okta-errors';
import { OktaClient, type OktaClientOptions } from './okta.client';
import { Secret } from './secret';

/**
 * Bounded Okta calls, against the simulator (a real HTTP server): a body
 * dripped byte by byte, an oversized body, a looping `next` link and a Reset
 * 20 days ahead each end the call with a clear error instead of stalling the
 * collector. Deadlines are small and configured; bounds on elapsed time are
 * generous.
 */
const sims: OktaSim[] = [];
const clients: OktaClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

async function setup(faults: Partial<SimFaults>, over: Partial<OktaClientOptions> = {}) {
  const sim = await startOktaSim({ seed: 7, users: 60, groups: 4, apps: 3 });
  sims.push(sim);
  Object.assign(sim.faults, { pathFilter: '^/api/v1/users$', ...faults });
  const allowInsecureHosts = [sim.hostPort];
  const client = new OktaClient({
    baseUrl: await validateOktaDomain(sim.url, { allowInsecureHosts }),
    token: new Secret(sim.token),
    allowInsecureHosts,
    retry: { retries: 1, baseMs: 5, capMs: 20 },
    ...over,
  });
  clients.push(client);
  return { sim, client };
}

async function failureOf(pages: AsyncIterable<unknown[]>): Promise<unknown> {
  try {
    for await (const page of pages) void page;
  } catch (error) {
    return error;
  }
  throw new Error('expected the listing to fail');
}

const usersCalls = (sim: OktaSim) => sim.calls()['GET /api/v1/users'] ?? 0;

describe('bounded Okta calls', () => {
  it('ends a body dripped one byte at a time at the per-call deadline, retried, then transient', async () => {
    const { sim, client } = await setup(
      { dripBodyNext: 10, dripIntervalMs: 50 },
      { timeouts: { callMs: 300 } },
    );
    // Without the deadline the dripped body never ends and the test times out.
    const error = await failureOf(client.listUsers());
    expect(error).toBeInstanceOf(OktaTransientError);
    expect((error as Error).message).toMatch(
      /no complete answer within the 300 ms deadline per call/,
    );
    expect(usersCalls(sim)).toBe(2);
  });

  it('aborts a body larger than maxResponseBytes while it streams, without retrying', async () => {
    const { sim, client } = await setup(
      { oversizedBodyNext: 5, oversizedBodyBytes: 256 * 1024 * 1024 },
      { maxResponseBytes: 1024 * 1024 },
    );
    const error = await failureOf(client.listUsers());
    expect(error).toBeInstanceOf(OktaResponseTooLargeError);
    expect((error as Error).message).toMatch(/the body passed 1048576 bytes/);
    // aborted while streaming: the message names the cap it passed, not the 256 MiB body
    expect(usersCalls(sim)).toBe(1);
  });

  it('fails a listing whose next link repeats, and one with more pages than the cap', async () => {
    const looping = await setup({ loopNextLink: true });
    const error = await failureOf(looping.client.listUsers());
    expect(error).toBeInstanceOf(OktaPaginationLoopError);
    expect((error as Error).message).toMatch(/repeats a page already read/);
    expect(usersCalls(looping.sim)).toBe(2);

    const long = await setup({}, { pageLimits: { users: 10 }, maxPagesPerListing: 3 });
    const tooMany = await failureOf(long.client.listUsers());
    expect(tooMany).toBeInstanceOf(OktaPaginationLoopError);
    expect((tooMany as Error).message).toMatch(/passed 3 pages/);
  });

  it('fails as rate limited when the Reset is further ahead than a sync may wait', async () => {
    const { client } = await setup(
      { farResetNext: 1, farResetSeconds: 20 * 86_400 },
      { retry: { retries: 1, baseMs: 5, maxRateLimitWaitMs: 5 * 60_000 } },
    );
    const error = await failureOf(client.listUsers());
    expect(error).toBeInstanceOf(OktaRateLimitWaitTooLongError);
    expect((error as Error).message).toMatch(
      /resets in 17280\d\d s, beyond the 300 s a sync may wait/,
    );
  });
});
