import { codeVersion } from '@regentra/http-api';

/**
 * The code version evidence provenance and snapshot manifests record
 * (docs/read-models.md): package.json's version, plus the commit when the
 * build recorded one (libs/http-api/src/code-version.ts).
 */
export const CODE_VERSION = codeVersion();
