import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const PACKAGE_NAME = 'regentra-okta-evidence';

/**
 * The repo's package.json version (the code version a snapshot manifest
 * records, docs/read-models.md): the nearest package.json of this package
 * above this file, whether it runs from src/ (ts-jest) or dist/.
 */
function readCodeVersion(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === PACKAGE_NAME && pkg.version) return pkg.version;
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}

export const CODE_VERSION = readCodeVersion();
