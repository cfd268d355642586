import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Action } from '@regentra/http-auth';
import {
  generateSigningKey,
  mintToken,
  SigningKey,
  writeJwks,
} from '../../tools/local-issuer/local-issuer';

export const TEST_ISSUER = 'regentra-test-issuer';

/** A signing key of the tests' own "Regentra backend", its JWKS file, and tokens signed with it. */
export async function testIssuer() {
  const key: SigningKey = await generateSigningKey('EdDSA');
  const jwksFile = writeJwks(join(mkdtempSync(join(tmpdir(), 'regentra-jwks-')), 'jwks.json'), key);
  return {
    /** The apps' variables that make them accept this issuer's tokens. */
    env: { AUTH_JWKS_FILE: jwksFile, AUTH_ISSUER: TEST_ISSUER },
    token: (
      app: 'okta-collector' | 'evidence-projector',
      orgs: '*' | string | string[],
      scope: Action[],
      subject = 'test-subject',
    ) => mintToken(key, { orgs, scope, audience: app, issuer: TEST_ISSUER, subject, ttlS: 600 }),
  };
}
