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
      'Read API of the Okta control evidence (the controls are the values of `:control`):',
      'the current evidence, its snapshots, and item lists as CSV for auditors.',
      'Every route is refused unless it is public (`/health`, `/metrics`, `/docs`, `/openapi.json`,',
      '`/.well-known/jwks.json`, the public keys of signed snapshots):',
      'the others need a signed token scoped to the org with `evidence:read`, or the static',
      'PROJECTOR_API_TOKEN (local use). Routes are matched case-sensitively and strictly.',
      'Every error body carries a stable `code`.',
    ].join(' '),
  });
}
