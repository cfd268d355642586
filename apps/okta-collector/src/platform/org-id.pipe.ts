import { BadRequestException, PipeTransform } from '@nestjs/common';
import { OrgIdSchema } from '@regentra/contracts';

/** Validates the :orgId route parameter with the same schema every Kafka envelope uses. */
export class OrgIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    const parsed = OrgIdSchema.safeParse(value);
    if (!parsed.success) {
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        code: 'invalid_org_id',
        message: 'orgId may hold letters, digits, "_", "." and "-" (1–128 characters)',
      });
    }
    return parsed.data;
  }
}
