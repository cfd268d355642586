/** Small HTTP helpers for the simulator's own specs (plain fetch and node:http). */
import { request } from 'node:http';
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
