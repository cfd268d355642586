import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';

/**
 * ★ Every 4xx/5xx body of both HTTP APIs: `code` is stable and machine-readable,
 * `message` is for people. (Nest's own `error` field is kept where it was.)
 */
export class ApiErrorBody {
  @ApiProperty({ example: 400 })
  statusCode!: number;

  @ApiProperty({ description: 'stable, machine-readable reason', example: 'invalid_body' })
  code!: string;

  @ApiProperty({ description: 'what is wrong, for a person', example: 'apiToken: is required' })
  message!: string;

  @ApiPropertyOptional({ example: 'Bad Request' })
  error?: string;
}

/** The `code` of errors that Nest or Express raise before our code runs (see ApiExceptionFilter). */
export const GENERIC_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  500: 'internal_error',
  502: 'bad_gateway',
  503: 'unavailable',
};

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  422: 'Unprocessable Entity',
  502: 'Bad Gateway',
};

/**
 * Documents each error status of a route with the `code` values it can carry:
 * the schema is ApiErrorBody with `code` narrowed to those values.
 */
export function ApiErrors(
  codes: Partial<Record<number, string[]>>,
): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...Object.entries(codes).map(([status, list = []]) =>
      ApiResponse({
        status: Number(status),
        description: `${REASONS[Number(status)] ?? 'Error'}: \`code\` is ${list.map((c) => `\`${c}\``).join(', ')}`,
        schema: {
          allOf: [
            { $ref: getSchemaPath(ApiErrorBody) },
            {
              type: 'object',
              properties: {
                statusCode: { type: 'integer', enum: [Number(status)] },
                code: { type: 'string', enum: list },
              },
            },
          ],
        },
      }),
    ),
  );
}
