import {
  ArgumentMetadata,
  BadRequestException,
  Injectable,
  PipeTransform,
  ValidationError,
  ValidationPipe,
} from '@nestjs/common';

/** The failed checks of one argument, before they become a 400. */
class InputInvalid extends Error {
  constructor(readonly errors: ValidationError[]) {
    super('invalid input');
  }
}

function validationPipe(forbidUnknownFields: boolean): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: forbidUnknownFields,
    forbidUnknownValues: false,
    stopAtFirstError: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new InputInvalid(errors),
  });
}

/** `path: message` for every failed constraint, nested DTOs included. */
function messagesOf(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((error) => {
    const path = `${prefix}${error.property}`;
    const own = Object.values(error.constraints ?? {}).map((message) => `${path}: ${message}`);
    return [...own, ...messagesOf(error.children ?? [], `${path}.`)];
  });
}

/** The `code` a decorator asked for (`context: { code }`), else one derived from where the input was. */
function codeOf(errors: ValidationError[], metadata: ArgumentMetadata): string {
  for (const error of errors) {
    for (const context of Object.values(error.contexts ?? {})) {
      const code = (context as { code?: unknown }).code;
      if (typeof code === 'string') return code;
    }
  }
  if (metadata.type === 'body') return 'invalid_body';
  const first = errors[0]?.property;
  return first ? `invalid_${first}` : `invalid_${metadata.type}`;
}

/**
 * The global ValidationPipe of both HTTP APIs: request DTO classes checked by
 * class-validator, unknown body fields refused (as the zod `.strict()` bodies
 * did; unknown query parameters are ignored), query strings converted to the DTO's types. A failure is a 400 with
 * `code` (`invalid_body`, or the decorator's or parameter's own, such as
 * `invalid_limit` or `invalid_org_id`) and one `message` naming every bad field.
 */
@Injectable()
export class HttpInputPipe implements PipeTransform<unknown, Promise<unknown>> {
  private readonly body = validationPipe(true);
  // unknown query parameters are ignored, as before DTOs
  private readonly other = validationPipe(false);

  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // A POST without a body (or without a JSON content type) validates as `{}`.
    const isBody = metadata.type === 'body';
    const input = isBody && (value === undefined || value === null) ? {} : value;
    try {
      return await (isBody ? this.body : this.other).transform(input, metadata);
    } catch (error) {
      if (!(error instanceof InputInvalid)) throw error;
      const stopAt = error.errors.findIndex((e) => Object.keys(e.contexts ?? {}).length > 0);
      // The first error that names its own code decides; the message lists that one, or all.
      const chosen = stopAt >= 0 ? [error.errors[stopAt] as ValidationError] : error.errors;
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        code: codeOf(chosen, metadata),
        // a coded check's message is written whole ("limit must be an integer from 1 to 1000")
        message:
          stopAt >= 0
            ? chosen.flatMap((e) => Object.values(e.constraints ?? {})).join('; ')
            : messagesOf(chosen).join('; '),
      });
    }
  }
}
