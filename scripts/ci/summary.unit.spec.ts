import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// .ci/run's last line: the acceptance check reads it as the real test count
const SUMMARY = resolve(__dirname, '..', '..', '.ci', 'summary.mjs');

function summary(jestLog: string | undefined, jestCode: string, junit: string[], apiCode: string) {
  const dir = mkdtempSync(join(tmpdir(), 'ci-summary-'));
  const log = join(dir, 'jest.log');
  if (jestLog !== undefined) writeFileSync(log, jestLog);
  const reports = join(dir, 'reports');
  junit.forEach((xml, i) => {
    mkdirSync(join(reports, `app${i}`), { recursive: true });
    writeFileSync(join(reports, `app${i}`, 'junit-1.xml'), xml);
  });
  return execFileSync('node', [SUMMARY, log, jestCode, reports, apiCode], { encoding: 'utf8' });
}

const suite = (cases: string) =>
  `<?xml version="1.0"?><testsuites><testsuite>${cases}</testsuite></testsuites>`;
const ok = (name: string) => `<testcase name="${name}" time="0.1"></testcase>`;
const bad = (name: string) =>
  `<testcase name="${name}"><failure message="x">boom</failure></testcase>`;

describe('.ci/summary.mjs', () => {
  it('adds jest tests and schemathesis operations', () => {
    const log =
      'PASS a\nTest Suites: 2 passed, 2 total\nTests:       7 passed, 7 total\nTime: 3 s\n';
    expect(summary(log, '0', [suite(ok('a') + ok('b')), suite(ok('c'))], '0')).toBe(
      '10 passed, 0 failed\n',
    );
  });

  it('counts failed tests and failed operations', () => {
    const log = 'Tests:       2 failed, 1 skipped, 5 passed, 8 total\n';
    expect(summary(log, '1', [suite(ok('a') + bad('b')), suite('<testcase name="c"/>')], '1')).toBe(
      '7 passed, 3 failed\n',
    );
  });

  it('counts a jest run that never reported as one failure', () => {
    expect(summary(undefined, '1', [suite(ok('a')), suite(ok('b'))], '0')).toBe(
      '2 passed, 1 failed\n',
    );
    // a suite that failed to compile: jest exits 1 with every test passing
    expect(
      summary('Tests:       4 passed, 4 total\n', '1', [suite(ok('a')), suite(ok('b'))], '0'),
    ).toBe('6 passed, 1 failed\n');
  });

  it('counts a test:api run that died before schemathesis as one failure', () => {
    expect(summary('Tests:       4 passed, 4 total\n', '0', [], '1')).toBe('4 passed, 1 failed\n');
  });
});
