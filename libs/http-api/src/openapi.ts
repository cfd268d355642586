import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ApiErrorBody } from './api-error';

export interface OpenApiInfo {
  title: string;
  description: string;
  version: string;
  /** The name of the bearer secret (COLLECTOR_API_TOKEN / PROJECTOR_API_TOKEN). */
  tokenName: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * @nestjs/swagger writes OpenAPI 3.0's `nullable: true`; 3.1 is JSON Schema
 * 2020-12, where null is a type. Rewrites every schema accordingly.
 */
export function toOpenApi31Schemas(node: Json): Json {
  if (Array.isArray(node)) return node.map(toOpenApi31Schemas);
  if (node === null || typeof node !== 'object') return node;
  const out: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(node)) out[key] = toOpenApi31Schemas(value);
  if (out.nullable !== true) return out;
  delete out.nullable;
  const composed = '$ref' in out || 'allOf' in out || 'anyOf' in out || 'oneOf' in out;
  if (!composed && typeof out.type === 'string') return { ...out, type: [out.type, 'null'] };
  if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
  // a $ref or composition: "that, or null" (the `type: object` Nest puts beside it would refuse null)
  const { description, type, ...rest } = out;
  void type;
  return {
    ...(description !== undefined ? { description } : {}),
    anyOf: [rest, { type: 'null' }],
  };
}

/** The app's OpenAPI 3.1 document, from its controllers and DTO classes. */
export function openApiDocumentOf(app: INestApplication, info: OpenApiInfo): OpenAPIObject {
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle(info.title)
    .setDescription(info.description)
    .setVersion(info.version)
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: [
          'A short-lived JWT signed by the Regentra backend (ES256 or EdDSA, verified against',
          'AUTH_JWKS_FILE / AUTH_JWKS_URL), with `iss` = AUTH_ISSUER, `aud` = AUTH_AUDIENCE,',
          '`sub`, `iat`, `exp`; `orgs` names the orgs it covers (an id, a list, or `"*"`), and',
          '`scope` the actions it allows (space-separated). Each operation names its action in',
          '`x-required-action`; a token for another org or without the action gets 403.',
        ].join(' '),
      },
      'jwt',
    )
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        description: `Local use: the static secret \`${info.tokenName}\` (or \`${info.tokenName}_PREVIOUS\` during a rotation) covers every org and action.`,
      },
      'bearer',
    )
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: [ApiErrorBody],
    operationIdFactory: (controller, method) =>
      `${controller.replace(/Controller$/, '')}_${method}`,
  });
  closeRequestBodies(document);
  return toOpenApi31Schemas(document as unknown as Json) as unknown as OpenAPIObject;
}

/**
 * Request bodies refuse unknown fields (HttpInputPipe), so their schemas say
 * `additionalProperties: false`: a client generated from the document, and a
 * fuzzer, then know it.
 */
function closeRequestBodies(document: OpenAPIObject): void {
  const schemas = document.components?.schemas ?? {};
  for (const operations of Object.values(document.paths))
    for (const operation of Object.values(operations) as Array<{ requestBody?: unknown }>) {
      const ref = JSON.stringify(operation?.requestBody ?? '').match(
        /"#\/components\/schemas\/([^"]+)"/,
      )?.[1];
      const schema = ref ? schemas[ref] : undefined;
      if (schema && !('$ref' in schema)) schema.additionalProperties = false;
    }
}

/**
 * Serves the document at `/openapi.json` and Swagger UI at `/docs` (both
 * open, like /health: the contract is not a secret, the routes it names are).
 */
export function serveOpenApi(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'openapi.json',
    raw: ['json'],
    customSiteTitle: document.info.title,
  });
}
