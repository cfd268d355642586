import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const PACKAGE_NAME = 'regentra-okta-evidence';

/**
 * The code version evidence records (docs/read-models.md, Provenance): the
 * repo's `package.json` version, plus `+<commit>` when the build wrote one
 * (`dist/build-info.json`, scripts/build-info.mjs). Code run from sources
 * (the tests) has no build info, so it is the plain version there.
 */
export function codeVersion(from: string = __dirname): string {
  cached ??= read(from);
  return cached;
}

let cached: string | undefined;

function read(from: string): string {
  let commit: string | null = null;
  for (let dir = from; ; dir = dirname(dir)) {
    const info = join(dir, 'build-info.json');
    if (commit === null && existsSync(info)) commit = commitOf(readFileSync(info, 'utf8'));
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      const parsed = JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string; version?: string };
      if (parsed.name === PACKAGE_NAME && parsed.version)
        return commit ? `${parsed.version}+${commit}` : parsed.version;
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}

function commitOf(text: string): string | null {
  try {
    const commit = (JSON.parse(text) as { commit?: unknown }).commit;
    return typeof commit === 'string' && /^[0-9a-f]{7,40}$/.test(commit)
      ? commit.slice(0, 12)
      : null;
  } catch {
    return null;
  }
}
