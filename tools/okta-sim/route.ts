import { AppAssignmentIndex } from './app-assignments';
import { SimOrg } from './model';
import { BucketName } from './rate-limiter';
import { SystemLogStore } from './system-log';

/** What a handler sees. */
export interface RouteContext {
  org: SimOrg;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Absolute URL of this request (the `self` link). */
  selfUrl: string;
  /** Org base URL as the client addressed it, e.g. http://127.0.0.1:43123. */
  base: string;
  path: string;
  log: SystemLogStore;
  assignments: AppAssignmentIndex;
  now: () => Date;
  /** `DELETE /api/v1/api-tokens/current`. */
  revokeToken(): void;
  pipeline: 'idx' | 'v1';
}

export interface ApiResult {
  status: number;
  body?: unknown;
  /** When set, the answer carries `Link` headers (self, and next when not null). */
  paging?: { next: string | null };
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RouteDef {
  method: HttpMethod;
  /** Okta-style template, also the key of `calls()`: `/api/v1/users/{id}/factors`. */
  template: string;
  bucket: BucketName;
  /** false only for `/.well-known/okta-organization`. */
  auth: boolean;
  handle(ctx: RouteContext): ApiResult;
}

interface CompiledRoute {
  def: RouteDef;
  regex: RegExp;
  names: string[];
}

export type RouteMatch =
  | { kind: 'found'; def: RouteDef; params: Record<string, string> }
  | { kind: 'wrong-method'; template: string; bucket: BucketName }
  | { kind: 'none' };

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export class Router {
  private readonly routes: CompiledRoute[];

  constructor(defs: RouteDef[]) {
    this.routes = defs.map((def) => {
      const names: string[] = [];
      const pattern = def.template
        .split('/')
        .map((part) => {
          const name = /^\{(\w+)\}$/.exec(part)?.[1];
          if (!name) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          names.push(name);
          return '([^/]+)';
        })
        .join('/');
      return { def, regex: new RegExp(`^${pattern}/?$`), names };
    });
  }

  /** First route in declaration order wins (so `/users/me` precedes `/users/{id}`). */
  match(method: string, path: string): RouteMatch {
    let wrongMethod: CompiledRoute | undefined;
    for (const route of this.routes) {
      const found = route.regex.exec(path);
      if (!found) continue;
      if (route.def.method !== method) {
        wrongMethod ??= route;
        continue;
      }
      const params: Record<string, string> = {};
      route.names.forEach((name, index) => {
        params[name] = safeDecode(found[index + 1] ?? '');
      });
      return { kind: 'found', def: route.def, params };
    }
    return wrongMethod
      ? { kind: 'wrong-method', template: wrongMethod.def.template, bucket: wrongMethod.def.bucket }
      : { kind: 'none' };
  }
}
