// Prints CI's last line, "N passed, N failed": jest's test count from its
// console summary plus one case per API operation schemathesis checked (from
// its JUnit reports). A step that died before reporting counts as one failure,
// so a run that executed nothing can never print "0 failed" alone.
// usage: node .ci/summary.mjs <jest log> <jest exit code> <schemathesis report dir> <test:api exit code>
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const [jestLog, jestCode, reportDir, apiCode] = process.argv.slice(2);
let passed = 0;
let failed = 0;

function countJest() {
  const text = existsSync(jestLog) ? readFileSync(jestLog, 'utf8') : '';
  const line = text
    .split('\n')
    .reverse()
    .find((l) => /^Tests:\s/.test(l));
  if (!line) return void (failed += 1);
  passed += Number(/(\d+) passed/.exec(line)?.[1] ?? 0);
  failed += Number(/(\d+) failed/.exec(line)?.[1] ?? 0);
  // jest failed without a failing test (a suite that did not load, global setup)
  if (jestCode !== '0' && !/(\d+) failed/.test(line)) failed += 1;
}

function junitFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return junitFiles(path);
    return /^junit.*\.xml$/.test(name) ? [path] : [];
  });
}

function countApi() {
  if (apiCode === 'skipped') return;
  const files = junitFiles(reportDir);
  let cases = 0;
  for (const file of files) {
    const xml = readFileSync(file, 'utf8');
    for (const match of xml.matchAll(/<testcase\b[^>]*?(?:\/>|>([\s\S]*?)<\/testcase>)/g)) {
      cases += 1;
      const body = match[1] ?? '';
      if (/<(failure|error)\b/.test(body)) failed += 1;
      else if (!/<skipped\b/.test(body)) passed += 1;
    }
  }
  if (apiCode !== '0' && (cases === 0 || files.length < 2)) failed += 1;
}

countJest();
countApi();
process.stdout.write(`${passed} passed, ${failed} failed\n`);
