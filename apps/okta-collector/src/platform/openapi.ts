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
      'Service-to-service: every `/v1` route needs `Authorization: Bearer <COLLECTOR_API_TOKEN>`;',
      '`/health` and `/metrics` are open for probes. Every error body carries a stable `code`.',
    ].join(' '),
  });
}
