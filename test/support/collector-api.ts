import { StartedApp } from './apps';

export const COLLECTOR_TOKEN = 'test-collector-api-token-0123456789';

/** Small typed helper over the collector's HTTP API. */
export function collectorApi(app: StartedApp) {
  const call = async (method: string, path: string, body?: unknown, token = COLLECTOR_TOKEN) => {
    const response = await fetch(`${app.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    return { status: response.status, json: json as Record<string, unknown>, text };
  };
  return {
    call,
    connect: (orgId: string, domain: string, apiToken: string) =>
      call('PUT', `/v1/orgs/${orgId}/okta/connection`, { domain, apiToken }),
    test: (orgId: string) => call('POST', `/v1/orgs/${orgId}/okta/connection/test`),
    disconnect: (orgId: string) => call('DELETE', `/v1/orgs/${orgId}/okta/connection`),
    sync: (orgId: string, scope = 'identity', mode?: 'auto' | 'full') =>
      call('POST', `/v1/orgs/${orgId}/okta/syncs`, { scope, ...(mode ? { mode } : {}) }),
    status: (orgId: string) => call('GET', `/v1/orgs/${orgId}/okta/status`),
  };
}
