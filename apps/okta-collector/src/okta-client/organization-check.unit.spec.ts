import { lookup } from 'node:dns';
import { fetchesLikeOktaOrganization } from './okta-domain';
import { LocalServer, startLocalServer } from './local-server.testing';

/**
 * The custom-domain check reads a stranger's server: its body is capped and
 * the whole check has a deadline, so one PUT /connection can neither fill the
 * collector's memory nor hold it forever.
 */
describe('the custom-domain .well-known check', () => {
  const limits = { maxBytes: 64 * 1024, deadlineMs: 1_500, lookup: lookup as never };
  let server: LocalServer | undefined;
  afterEach(() => server?.close());

  const check = (s: LocalServer) => fetchesLikeOktaOrganization(new URL(s.url), limits);

  it('accepts an Okta-like answer', async () => {
    server = await startLocalServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ id: '00o1', _links: { organization: { href: 'https://x' } } }));
    });
    await expect(check(server)).resolves.toBe(true);
  });

  it('stops reading an endless body at the byte cap', async () => {
    let sent = 0;
    let stopped = false;
    server = await startLocalServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(16 * 1024, 0x5b); // '[' forever
      const pump = () => {
        while (!stopped && res.write(chunk)) sent += chunk.length;
        if (!stopped) res.once('drain', pump);
      };
      res.on('close', () => (stopped = true));
      pump();
    });
    await expect(check(server)).rejects.toThrow(/body of at least/);
    expect(sent).toBeLessThan(64 * 1024 * 1024);
  }, 20_000);

  it('refuses a declared Content-Length over the cap without reading it', async () => {
    server = await startLocalServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 50_000_000 });
      res.write('{"id":"');
    });
    await expect(check(server)).rejects.toThrow(/body of at least 50000000 bytes/);
  });

  it('gives up on a body dripped byte by byte at the overall deadline', async () => {
    let timer: NodeJS.Timeout | undefined;
    server = await startLocalServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      // one byte every 200 ms: never idle long enough for undici's timeouts
      timer = setInterval(() => res.write(' '), 200);
      res.on('close', () => clearInterval(timer));
    });
    // the overall deadline's abort ended it (no idle timeout can: a byte comes every 200 ms)
    await expect(check(server)).rejects.toMatchObject({ name: 'TimeoutError' });
    clearInterval(timer);
  }, 20_000);
});
