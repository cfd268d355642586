// Writes dist/build-info.json with the git commit the build was made from, when
// git knows one (libs/http-api/src/code-version.ts reads it); no git, no file.
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';

const out = 'dist/build-info.json';
try {
  const commit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  writeFileSync(out, `${JSON.stringify({ commit })}\n`);
} catch {
  rmSync(out, { force: true });
}
