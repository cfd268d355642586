import { ArgumentMetadata, BadRequestException, PipeTransform } from '@nestjs/common';
import { OrgIdSchema } from '@regentra/contracts';

/**
 * Validates every `:orgId` route parameter with the schema every Kafka
 * envelope uses (registered globally; other values pass through).
 */
export class OrgIdParamPipe implements PipeTransform<unknown, unknown> {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type !== 'param' || metadata.data !== 'orgId') return value;
    if (!OrgIdSchema.safeParse(value).success) {
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
