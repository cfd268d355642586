import type { INestApplication } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import { openApiDocumentOf } from '@regentra/http-api';

/** ★ The collector's OpenAPI document (served at /openapi.json, committed in docs/openapi/). */
export function collectorOpenApi(app: INestApplication): OpenAPIObject {
  return openApiDocumentOf(app, {
    title: 'okta-collector',
    version: '1',
    tokenName: 'COLLECTOR_API_TOKEN',
    description: [
      'Connects a Regentra organization to its Okta org, runs syncs and reports their status.',
      'Service-to-service. Every route is refused unless it is public (`/health`, `/metrics`,',
      '`/docs`, `/openapi.json`): the others need a signed token scoped to the org and the action',
      'the operation names (`x-required-action`), or the static COLLECTOR_API_TOKEN (local use).',
      'Routes are matched case-sensitively and strictly. Every error body carries a stable `code`.',
    ].join(' '),
  });
}
