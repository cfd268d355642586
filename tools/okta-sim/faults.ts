import { LinkHeaderStyle } from './pagination';
import { Prng } from './prng';

/**
 * Mutable fault configuration. Counters (`errorBurst`, `storm429`, `…Next`)
 * count down as the faults fire. `pathFilter` restricts every fault except
 * `latencyMs` to matching request paths (a RegExp, or a string taken as a
 * RegExp source).
 */
export interface SimFaults {
  /** Added to every API response. */
  latencyMs: number;
  /** Fraction (0..1) of calls answering 500 E0000009. */
  errorRate: number;
  /** The next N calls answer 503. */
  errorBurst: number;
  /** The next N calls answer 429 whatever the limits. */
  storm429: number;
  /** After N more authenticated calls every call is 401 E0000011; null = off. */
  unauthorizedAfter: number | null;
  /** The next N calls answer 200 with a truncated JSON body. */
  malformedJsonNext: number;
  /** The next N calls never answer (until the client gives up or the sim closes). */
  hangNext: number;
  /** The next N calls have their socket destroyed. */
  resetNext: number;
  pathFilter?: RegExp | string | null;
  /** Calls matching answer 403 E0000006 (e.g. roles for a read-only token). */
  forbiddenPaths?: RegExp | string | null;
  /** `separate` Link headers (Okta), one `joined` line, or `mixed` (alternating). */
  linkHeaderStyle?: LinkHeaderStyle;
  /** The next N calls send their body one byte every `dripIntervalMs` (a stalling server). */
  dripBodyNext?: number;
  /** Default 100. */
  dripIntervalMs?: number;
  /** The next N calls answer 200 with a JSON array of `oversizedBodyBytes`, streamed without Content-Length. */
  oversizedBodyNext?: number;
  /** Default 64 MiB. */
  oversizedBodyBytes?: number;
  /** The next N calls answer 429 with an X-Rate-Limit-Reset `farResetSeconds` ahead. */
  farResetNext?: number;
  /** Default 20 days. */
  farResetSeconds?: number;
  /** Paged answers carry a `next` link to the very page requested (a looping cursor). */
  loopNextLink?: boolean;
}

export function defaultFaults(latencyMs: number): SimFaults {
  return {
    latencyMs,
    errorRate: 0,
    errorBurst: 0,
    storm429: 0,
    unauthorizedAfter: null,
    malformedJsonNext: 0,
    hangNext: 0,
    resetNext: 0,
    pathFilter: null,
    forbiddenPaths: null,
    linkHeaderStyle: 'mixed',
  };
}

export type FaultAction =
  | 'reset'
  | 'hang'
  | 'storm429'
  | 'burst503'
  | 'forbidden'
  | 'error500'
  | 'malformed'
  | 'drip'
  | 'oversized'
  | 'farReset'
  | null;

function matches(pattern: RegExp | string | null | undefined, path: string): boolean {
  if (pattern === null || pattern === undefined || pattern === '') return true;
  const regex = typeof pattern === 'string' ? new RegExp(pattern) : pattern;
  regex.lastIndex = 0;
  return regex.test(path);
}

const COUNTERS = [
  'resetNext',
  'hangNext',
  'storm429',
  'errorBurst',
  'farResetNext',
  'oversizedBodyNext',
  'dripBodyNext',
] as const;
const COUNTER_ACTIONS: Record<(typeof COUNTERS)[number], FaultAction> = {
  resetNext: 'reset',
  hangNext: 'hang',
  storm429: 'storm429',
  errorBurst: 'burst503',
  farResetNext: 'farReset',
  oversizedBodyNext: 'oversized',
  dripBodyNext: 'drip',
};

export class FaultInjector {
  constructor(
    readonly faults: SimFaults,
    private readonly prng: Prng,
  ) {}

  applies(path: string): boolean {
    return matches(this.faults.pathFilter, path);
  }

  /**
   * Spends one call of the `unauthorizedAfter` budget; true once it is spent,
   * from then on the token behaves as revoked.
   */
  tokenRejected(path: string): boolean {
    const left = this.faults.unauthorizedAfter;
    if (left === null || left === undefined || !this.applies(path)) return false;
    if (left <= 0) return true;
    this.faults.unauthorizedAfter = left - 1;
    return false;
  }

  /** The fault this call suffers, if any (consuming one unit of a counter). */
  next(path: string): FaultAction {
    if (!this.applies(path)) return null;
    for (const counter of COUNTERS) {
      const left = this.faults[counter] ?? 0;
      if (left > 0) {
        this.faults[counter] = left - 1;
        return COUNTER_ACTIONS[counter];
      }
    }
    if (this.faults.forbiddenPaths && matches(this.faults.forbiddenPaths, path)) return 'forbidden';
    if (this.faults.errorRate > 0 && this.prng.float() < this.faults.errorRate) return 'error500';
    if (this.faults.malformedJsonNext > 0) {
      this.faults.malformedJsonNext--;
      return 'malformed';
    }
    return null;
  }
}

const NUMERIC = [
  'latencyMs',
  'errorRate',
  'errorBurst',
  'storm429',
  'malformedJsonNext',
  'hangNext',
  'resetNext',
  'dripBodyNext',
  'dripIntervalMs',
  'oversizedBodyNext',
  'oversizedBodyBytes',
  'farResetNext',
  'farResetSeconds',
] as const;

/**
 * Merges a JSON patch (control API) into the live faults, validating types.
 * Patterns arrive as strings (RegExp sources). Returns an error message or null.
 */
export function applyFaultPatch(faults: SimFaults, patch: unknown): string | null {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch))
    return 'body must be a JSON object';
  const entries = Object.entries(patch as Record<string, unknown>);
  for (const [key, value] of entries) {
    if ((NUMERIC as readonly string[]).includes(key)) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
        return `${key} must be a number ≥ 0`;
    } else if (key === 'unauthorizedAfter') {
      if (value !== null && (typeof value !== 'number' || value < 0))
        return 'unauthorizedAfter must be a number or null';
    } else if (key === 'pathFilter' || key === 'forbiddenPaths') {
      if (value !== null && typeof value !== 'string')
        return `${key} must be a RegExp source string or null`;
      if (typeof value === 'string') {
        try {
          new RegExp(value);
        } catch {
          return `${key} is not a valid RegExp`;
        }
      }
    } else if (key === 'loopNextLink') {
      if (typeof value !== 'boolean') return 'loopNextLink must be a boolean';
    } else if (key === 'linkHeaderStyle') {
      if (value !== 'separate' && value !== 'joined' && value !== 'mixed')
        return 'linkHeaderStyle must be separate, joined or mixed';
    } else {
      return `unknown fault "${key}"`;
    }
  }
  Object.assign(faults, patch);
  return null;
}

/** JSON view of the faults (RegExps as their source). */
export function faultsJson(faults: SimFaults): Record<string, unknown> {
  const pattern = (value: RegExp | string | null | undefined) =>
    value instanceof RegExp ? value.source : (value ?? null);
  return {
    ...faults,
    pathFilter: pattern(faults.pathFilter),
    forbiddenPaths: pattern(faults.forbiddenPaths),
  };
}
