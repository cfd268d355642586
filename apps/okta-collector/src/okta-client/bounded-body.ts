/** A response body past the byte limit: reading stopped, the stream destroyed. */
export class BodyTooLarge extends Error {
  constructor(readonly bytes: number) {
    super(`body of at least ${bytes} bytes`);
  }
}

/**
 * Reads a body as it streams and stops past `maxBytes` (a declared
 * Content-Length over it: at once, nothing read). Every Okta-facing read goes
 * through this: API pages and the custom-domain `.well-known` check.
 */
export async function readBoundedBody(
  body: AsyncIterable<Buffer> & { destroy(): unknown },
  contentLength: string | undefined,
  maxBytes: number,
): Promise<string> {
  const declared = Number(contentLength);
  if (declared > maxBytes) {
    body.destroy();
    throw new BodyTooLarge(declared);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > maxBytes) {
      body.destroy();
      throw new BodyTooLarge(size);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
