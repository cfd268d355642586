import { registerDecorator, ValidationOptions } from 'class-validator';
import { OrgIdSchema } from '@regentra/contracts';

export const ORG_ID_MESSAGE = 'orgId may hold letters, digits, "_", "." and "-" (1–128 characters)';

/**
 * The `orgId` path parameter: checked by the same zod schema every Kafka
 * envelope uses (libs/contracts), so the two edges cannot drift apart.
 */
export function IsOrgId(options: ValidationOptions = {}): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isOrgId',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: ORG_ID_MESSAGE, context: { code: 'invalid_org_id' }, ...options },
      validator: { validate: (value: unknown) => OrgIdSchema.safeParse(value).success },
    });
}
