import { BadRequestException, PipeTransform } from '@nestjs/common';

/** Validates the :orgId route parameter. */
export class OrgIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(value ?? '')) {
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        code: 'invalid_org_id',
        message: 'orgId may hold letters, digits, "_", "." and "-" (1–128 characters)',
      });
    }
    return value;
  }
}
