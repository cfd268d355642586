import type { INestApplication } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import { openApiDocumentOf } from '@regentra/http-api';

/** ★ The projector's OpenAPI document (served at /openapi.json, committed in docs/openapi/). */
export function projectorOpenApi(app: INestApplication): OpenAPIObject {
  return openApiDocumentOf(app, {
    title: 'evidence-projector',
    version: '1',
    tokenName: 'PROJECTOR_API_TOKEN',
    description: [
      'Read API of the Okta control evidence (access-review, provisioning, authentication,',
      'least-privilege): the current evidence, its snapshots, and item lists as CSV for auditors.',
      'Every `/v1` route needs `Authorization: Bearer <PROJECTOR_API_TOKEN>`; `/health` and',
      '`/metrics` are open for probes. Every error body carries a stable `code`.',
    ].join(' '),
  });
}
