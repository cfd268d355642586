import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalCall {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
}

export interface LocalServer {
  url: string;
  hostPort: string;
  calls: LocalCall[];
  /** Distinct TCP connections accepted. */
  connections: () => number;
  close: () => Promise<void>;
}

/** Test-only programmable HTTP server on 127.0.0.1 (random port). */
export async function startLocalServer(
  handler: (req: IncomingMessage, res: ServerResponse, call: LocalCall, n: number) => void,
): Promise<LocalServer> {
  const calls: LocalCall[] = [];
  let connections = 0;
  const server = createServer((req, res) => {
    const call = { method: req.method ?? '', url: req.url ?? '', headers: req.headers };
    calls.push(call);
    handler(req, res, call, calls.length);
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hostPort: `127.0.0.1:${port}`,
    calls,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string | string[]> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}
