/** Small HTTP helpers for the simulator's own specs (plain fetch and node:http). */
import { request } from 'node:http';
import { GroundTruth } from './ground-truth';
import { OktaSim } from './sim-types';

export interface Fetched<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  links: Record<string, string>;
}

/** Parses Link headers, whether sent as several headers or one comma-joined line. */
export function parseLinks(value: string | null): Record<string, string> {
  const links: Record<string, string> = {};
  for (const match of (value ?? '').matchAll(/<([^>]*)>\s*;\s*rel="([^"]+)"/g)) {
    links[match[2] as string] = match[1] as string;
  }
  return links;
}

export async function oktaGet<T = unknown>(
  sim: OktaSim,
  pathOrUrl: string,
  init: RequestInit = {},
): Promise<Fetched<T>> {
  const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${sim.url}${pathOrUrl}`;
  const response = await fetch(url, {
    ...init,
    headers: {
      Authorization: `SSWS ${sim.token}`,
      Accept: 'application/json',
      ...(init.headers ?? {}),
    },
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: (text ? JSON.parse(text) : undefined) as T,
    links: parseLinks(response.headers.get('link')),
  };
}

/** Follows `next` links from `path`, returning every item and the number of pages. */
export async function crawl<T>(sim: OktaSim, path: string): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let next: string | undefined = path;
  let pages = 0;
  while (next) {
    const page: Fetched<T[]> = await oktaGet<T[]>(sim, next);
    if (page.status !== 200)
      throw new Error(`GET ${next} answered ${page.status}: ${JSON.stringify(page.body)}`);
    items.push(...page.body);
    pages++;
    next = page.links.next;
  }
  return { items, pages };
}

/** Raw answer through node:http, to see each header line as sent. */
export function rawGet(
  sim: OktaSim,
  path: string,
): Promise<{ status: number; rawHeaders: string[]; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${sim.url}${path}`,
      { headers: { Authorization: `SSWS ${sim.token}` } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            rawHeaders: res.rawHeaders,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Values of one header, one entry per line received. */
export function headerLines(rawHeaders: string[], name: string): string[] {
  const lines: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]?.toLowerCase() === name.toLowerCase()) lines.push(rawHeaders[i + 1] ?? '');
  }
  return lines;
}

export async function control<T = unknown>(
  sim: OktaSim,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${sim.url}${path}`, {
    method,
    headers: { 'X-Sim-Control': '1', 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

/** A clock tests can move. */
export function manualClock(start: string): {
  now: () => Date;
  advance(ms: number): void;
  set(iso: string): void;
} {
  let current = Date.parse(start);
  return {
    now: () => new Date(current),
    advance: (ms) => {
      current += ms;
    },
    set: (iso) => {
      current = Date.parse(iso);
    },
  };
}

interface Item {
  id: string;
}
interface User extends Item {
  status: string;
  created: string;
  activated: string | null;
  statusChanged: string | null;
  lastLogin: string | null;
  profile: { login: string; email: string };
}
interface Factor extends Item {
  factorType: string;
  status: string;
}
interface Group extends Item {
  type: string;
  profile: { name: string };
}
interface App extends Item {
  label: string;
  status: string;
}
interface AppUser extends Item {
  scope: 'USER' | 'GROUP';
}
interface Role extends Item {
  type: string;
}

/** Rebuilds the ground truth the way a collector would: only through the HTTP API. */
export async function truthOverHttp(
  sim: OktaSim,
): Promise<Omit<GroundTruth, 'counts' | 'logEvents' | 'orgId' | 'tokenOwnerId'>> {
  const filter = encodeURIComponent('status eq "DEPROVISIONED"');
  const listed = await crawl<User>(sim, '/api/v1/users?limit=200');
  const gone = await crawl<User>(sim, `/api/v1/users?limit=200&filter=${filter}`);
  const users = [...listed.items, ...gone.items].sort((a, b) => (a.id < b.id ? -1 : 1));
  const groups = (await crawl<Group>(sim, '/api/v1/groups?limit=200')).items;
  const apps = (await crawl<App>(sim, '/api/v1/apps?limit=200')).items;
  const groupMembers = new Map<string, string[]>();
  for (const group of groups) {
    groupMembers.set(
      group.id,
      (await crawl<User>(sim, `/api/v1/groups/${group.id}/users?limit=200`)).items.map((u) => u.id),
    );
  }
  const appUsers = new Map<string, AppUser[]>();
  const appGroups = new Map<string, string[]>();
  for (const app of apps) {
    appUsers.set(
      app.id,
      (await crawl<AppUser>(sim, `/api/v1/apps/${app.id}/users?limit=500`)).items,
    );
    appGroups.set(
      app.id,
      (await crawl<Item>(sim, `/api/v1/apps/${app.id}/groups?limit=200`)).items.map((g) => g.id),
    );
  }
  const byId = <T>(list: T[], key: (t: T) => string) =>
    [...list].sort((a, b) => (key(a) < key(b) ? -1 : 1));
  const result = {
    users: [] as GroundTruth['users'],
    groups: [] as GroundTruth['groups'],
    apps: [] as GroundTruth['apps'],
  };
  for (const user of users) {
    const factors = (await oktaGet<Factor[]>(sim, `/api/v1/users/${user.id}/factors`)).body;
    const roles = (await oktaGet<Role[]>(sim, `/api/v1/users/${user.id}/roles`)).body;
    const appIds = apps
      .filter((a) => appUsers.get(a.id)?.some((x) => x.id === user.id))
      .map((a) => a.id);
    result.users.push({
      id: user.id,
      login: user.profile.login,
      email: user.profile.email,
      status: user.status,
      created: user.created,
      activated: user.activated,
      statusChanged: user.statusChanged,
      lastLogin: user.lastLogin,
      factors: factors.map((f) => ({ id: f.id, factorType: f.factorType, status: f.status })),
      groupIds: groups
        .filter((g) => groupMembers.get(g.id)?.includes(user.id))
        .map((g) => g.id)
        .sort(),
      appIds: appIds.sort(),
      directAppIds: apps
        .filter((a) => appUsers.get(a.id)?.some((x) => x.id === user.id && x.scope === 'USER'))
        .map((a) => a.id)
        .sort(),
      roles: [...new Set(roles.map((r) => r.type))].sort(),
    });
  }
  result.groups = byId(groups, (g) => g.id).map((g) => ({
    id: g.id,
    type: g.type,
    name: g.profile.name,
    memberIds: [...(groupMembers.get(g.id) ?? [])].sort(),
  }));
  result.apps = byId(apps, (a) => a.id).map((a) => ({
    id: a.id,
    label: a.label,
    status: a.status,
    userAssignments: byId(appUsers.get(a.id) ?? [], (x) => x.id).map((x) => ({
      userId: x.id,
      scope: x.scope,
    })),
    groupIds: [...(appGroups.get(a.id) ?? [])].sort(),
  }));
  return result;
}

export function withoutCounts(truth: GroundTruth) {
  const { users, groups, apps } = truth;
  return { users, groups, apps };
}
