import { ArgumentsHost, Catch, HttpException } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { Response } from 'express';
import { GENERIC_CODES } from './api-error';

/**
 * What a malformed JSON body is told. V8's own message quotes the body
 * ("Unexpected token 'S', "{"apiToken": S..." is not valid JSON"), which can
 * hand back a fragment of a secret: only the position (a number) is kept.
 */
export function jsonParseMessage(parserMessage: string): string {
  const position = /\bposition (\d+)/.exec(parserMessage)?.[1];
  return position === undefined
    ? 'the request body is not valid JSON'
    : `the request body is not valid JSON (at position ${position})`;
}

/** An error the body parser raises (http-errors): a 4xx it means to show the client. */
function clientErrorOf(error: unknown): { status: number; message: string } | null {
  const e = error as {
    status?: unknown;
    statusCode?: unknown;
    expose?: unknown;
    message?: unknown;
    type?: unknown;
  };
  const status = typeof e?.status === 'number' ? e.status : e?.statusCode;
  if (typeof status !== 'number' || status < 400 || status >= 500 || e.expose !== true) return null;
  const message = typeof e.message === 'string' ? e.message : 'bad request';
  // body-parser's parse errors carry the raw body and a message quoting it
  if (e.type === 'entity.parse.failed') return { status, message: jsonParseMessage(message) };
  return { status, message };
}

/**
 * Gives every HTTP error a `code`: our own exceptions carry one already; the
 * ones Nest and Express raise (a malformed JSON body, a body over the size
 * limit, an unknown route) get the generic code of their status. The body is
 * otherwise Nest's, so existing clients see the same fields. Anything else is
 * Nest's own 500 (logged there).
 */
@Catch()
export class ApiExceptionFilter extends BaseExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return super.catch(exception, host);
    const response = host.switchToHttp().getResponse<Response>();
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const raw = exception.getResponse();
      const body = (
        typeof raw === 'string' ? { statusCode: status, message: raw } : { ...(raw as object) }
      ) as { code?: unknown; message?: unknown; statusCode?: unknown };
      body.statusCode ??= status;
      body.code ??= GENERIC_CODES[status] ?? `http_${status}`;
      // class-validator style arrays of messages read as one sentence
      if (Array.isArray(body.message)) body.message = body.message.join('; ');
      body.message ??= exception.message;
      response.status(status).json(body);
      return;
    }
    const client = clientErrorOf(exception);
    if (!client) return super.catch(exception, host);
    response.status(client.status).json({
      statusCode: client.status,
      code: GENERIC_CODES[client.status] ?? `http_${client.status}`,
      message: client.message,
    });
  }
}
