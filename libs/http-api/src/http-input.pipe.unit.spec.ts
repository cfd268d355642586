import { BadRequestException, HttpException } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';
import { HttpInputPipe } from './http-input.pipe';
import { OrgPath } from './org-path.dto';

class Body {
  @ApiProperty()
  @MinLength(3, { message: 'is too short' })
  @IsString({ message: 'must be a string' })
  name!: string;

  @IsOptional()
  @IsIn(['a', 'b'], { message: 'must be a or b' })
  kind: 'a' | 'b' = 'a';
}

const limitCheck = { message: 'limit must be 1–10', context: { code: 'invalid_limit' } };
class Query {
  @IsOptional()
  @Type(() => Number)
  @IsInt(limitCheck)
  @Min(1, limitCheck)
  @Max(10, limitCheck)
  limit?: number;
}

const pipe = new HttpInputPipe();
const body = (value: unknown) => pipe.transform(value, { type: 'body', metatype: Body });
const query = (value: unknown) => pipe.transform(value, { type: 'query', metatype: Query });

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BadRequestException);
  return (error as HttpException).getResponse() as Record<string, unknown>;
}

describe('HttpInputPipe', () => {
  it('answers a bad body with invalid_body and one message naming every bad field once', async () => {
    expect(await refusal(body({ name: 'x', kind: 'z' }))).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      code: 'invalid_body',
      message: 'name: is too short; kind: must be a or b',
    });
  });

  it('refuses unknown body fields and reads a missing body as {}', async () => {
    expect((await refusal(body({ name: 'xyz', extra: 1 }))).message).toBe(
      'extra: property extra should not exist',
    );
    expect((await refusal(body(undefined))).message).toBe('name: must be a string');
  });

  it('gives a valid body its defaults, as an instance of the DTO', async () => {
    const ok = await body({ name: 'xyz' });
    expect(ok).toBeInstanceOf(Body);
    expect(ok).toMatchObject({ name: 'xyz', kind: 'a' });
  });

  it("uses the check's own code for query and path input, and ignores unknown query keys", async () => {
    expect(await refusal(query({ limit: '0' }))).toMatchObject({
      code: 'invalid_limit',
      message: 'limit must be 1–10',
    });
    expect(await query({ limit: '7', other: 'x' })).toEqual(
      Object.assign(new Query(), { limit: 7 }),
    );
    const path = await refusal(
      pipe.transform({ orgId: 'bad org!' }, { type: 'param', metatype: OrgPath }),
    );
    expect(path.code).toBe('invalid_org_id');
  });
});
