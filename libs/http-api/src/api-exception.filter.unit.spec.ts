import { ArgumentsHost, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { json } from 'express';
import { Readable } from 'node:stream';
import { ApiExceptionFilter } from './api-exception.filter';

/** The error Express's JSON body parser itself raises for this body. */
function parserErrorFor(body: string): Promise<unknown> {
  const req = Object.assign(Readable.from([Buffer.from(body)]), {
    headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
  });
  return new Promise((resolve) =>
    json()(req as never, {} as never, (error?: unknown) => resolve(error)),
  );
}

/** A captured answer (status and JSON) behind Nest's ArgumentsHost. */
function httpHost() {
  const sent: { status?: number; body?: unknown } = {};
  const response = {
    status(code: number) {
      sent.status = code;
      return this;
    },
    json(body: unknown) {
      sent.body = body;
      return this;
    },
  };
  const host = {
    getType: () => 'http',
    switchToHttp: () => ({ getResponse: () => response }),
  } as unknown as ArgumentsHost;
  return { host, sent };
}

describe('ApiExceptionFilter', () => {
  const filter = new ApiExceptionFilter();

  it('keeps a body that has its code', () => {
    const { host, sent } = httpHost();
    const body = {
      statusCode: 404,
      code: 'no_connection',
      message: 'org x has no Okta connection',
    };
    filter.catch(new NotFoundException(body), host);
    expect(sent).toEqual({ status: 404, body });
  });

  it("adds the status's generic code to Nest's own errors, keeping their fields", () => {
    const { host, sent } = httpHost();
    filter.catch(new UnauthorizedException('missing or wrong bearer token'), host);
    expect(sent).toEqual({
      status: 401,
      body: {
        statusCode: 401,
        error: 'Unauthorized',
        code: 'unauthorized',
        message: 'missing or wrong bearer token',
      },
    });
  });

  it("answers the body parser's errors (http-errors) with their status and a code", () => {
    const { host, sent } = httpHost();
    const tooLarge = Object.assign(new Error('request entity too large'), {
      status: 413,
      statusCode: 413,
      expose: true,
      type: 'entity.too.large',
    });
    filter.catch(tooLarge, host);
    expect(sent).toEqual({
      status: 413,
      body: { statusCode: 413, code: 'payload_too_large', message: 'request entity too large' },
    });
  });

  it.each([
    ['a bare word', '{"apiToken": 00SECRETfragment}'],
    ['an unquoted value', '{"apiToken": SECRETfragment}'],
    ['a non-JSON body', 'SECRETfragment and more'],
    ['a broken string', '{"apiToken": "SECRETfragment'],
  ])('never echoes the body of a malformed JSON request (%s)', async (_, body) => {
    const error = await parserErrorFor(body);
    expect(error).toMatchObject({ status: 400, type: 'entity.parse.failed' });
    const { host, sent } = httpHost();
    filter.catch(error, host);
    expect(sent.status).toBe(400);
    expect(sent.body).toMatchObject({ code: 'bad_request' });
    expect(JSON.stringify(sent.body)).not.toMatch(/SECRET|fragment/);
    expect((sent.body as { message: string }).message).toMatch(
      /^the request body is not valid JSON/,
    );
  });
});
