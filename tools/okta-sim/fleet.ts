import { startOktaSim } from './index';
import { BucketName } from './rate-limiter';
import { OktaSim, OktaSimOptions } from './sim-types';

export interface OktaFleetOptions extends Omit<OktaSimOptions, 'seed' | 'token' | 'port'> {
  /** How many orgs. */
  orgs: number;
  /** Org i (0-based) gets seed `seedBase + i`; default 1. */
  seedBase?: number;
}

/** One org of the fleet: its own data, ground truth, token and rate-limit windows. */
export interface FleetOrg {
  /** `org-0001`, `org-0002`, … */
  key: string;
  sim: OktaSim;
}

export interface OktaFleet {
  orgs: FleetOrg[];
  /** Every org's `host:port` (what OKTA_ALLOW_INSECURE_HOSTS must list). */
  hostPorts(): string[];
  /**
   * The worst org and bucket: the most calls one of its rate-limit windows
   * counted, as a fraction of `share` × its limit (the calls a token may make).
   */
  worstWindow(share: number): {
    ratio: number;
    org: string;
    bucket: BucketName;
    calls: number;
    allowed: number;
  } | null;
  close(): Promise<void>;
}

/**
 * Many simulated Okta orgs served from one process (benchmarks of the whole
 * fleet). Each org is a whole simulator with its own ground truth, token and
 * rate-limit windows, reached at its own `host:port` origin: the collector
 * keeps only a domain's origin (a path prefix cannot name an org), and names
 * such as `org-1.localhost` do not resolve everywhere, so orgs differ by port.
 */
export async function startOktaFleet(opts: OktaFleetOptions): Promise<OktaFleet> {
  const { orgs: count, seedBase = 1, ...simOptions } = opts;
  const orgs: FleetOrg[] = [];
  try {
    for (let i = 0; i < count; i += 1) {
      const key = `org-${String(i + 1).padStart(4, '0')}`;
      const sim = await startOktaSim({
        ...simOptions,
        seed: seedBase + i,
        token: `fleet-token-${key}-0123456789`,
      });
      orgs.push({ key, sim });
    }
  } catch (error) {
    await Promise.all(orgs.map((org) => org.sim.close()));
    throw error;
  }
  return {
    orgs,
    hostPorts: () => orgs.map((org) => org.sim.hostPort),
    worstWindow: (share) => worstWindow(orgs, share),
    close: async () => {
      await Promise.all(orgs.map((org) => org.sim.close()));
    },
  };
}

function worstWindow(orgs: FleetOrg[], share: number): ReturnType<OktaFleet['worstWindow']> {
  let worst: ReturnType<OktaFleet['worstWindow']> = null;
  for (const { key, sim } of orgs) {
    const limits = sim.rateLimits();
    for (const [bucket, calls] of Object.entries(sim.rateWindowPeaks()) as Array<
      [BucketName, number]
    >) {
      const allowed = Math.max(1, Math.floor(limits[bucket] * share));
      const ratio = calls / allowed;
      if (!worst || ratio > worst.ratio) worst = { ratio, org: key, bucket, calls, allowed };
    }
  }
  return worst;
}
