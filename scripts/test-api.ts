import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startOktaSim } from '../tools/okta-sim';
import { freePort } from './infra/ports';
import { resolveServices } from './infra/services';
import { cacheDir, requireTool, waitFor } from './infra/tools';
import { call, isHealthy, startAppProcess, StartedChild } from './stack/apps';

/**
 * `npm run test:api`: property-based tests of both HTTP APIs against their
 * OpenAPI documents. Starts Kafka + FerretDB (or uses KAFKA_BROKERS /
 * MONGODB_URI), a small simulated Okta org, the collector and the projector
 * from dist/, connects the documents' example org (`acme-corp`) and syncs it so
 * the read API has evidence, then runs schemathesis (from PyPI, into a virtual
 * environment cached outside the work tree) against each app's served
 * /openapi.json with its bearer token. Fails on any 5xx, any answer that does
 * not match the document, and any route that answers without the token.
 */
const SCHEMATHESIS_VERSION = '4.32.5';
const ORG = 'acme-corp'; // the `example` of every orgId in the documents
const COLLECTOR_TOKEN = 'test-api-collector-token-0123456789';
const PROJECTOR_TOKEN = 'test-api-projector-token-0123456789';
/** Examples per operation (an app's .schemathesis.toml may say otherwise). */
const MAX_EXAMPLES = 40;

const say = (message: string) => process.stdout.write(`test:api: ${message}\n`);

/** The schemathesis executable, installed into `<cache>/schemathesis-<version>` once. */
function schemathesis(): string {
  const venv = join(cacheDir(), `schemathesis-${SCHEMATHESIS_VERSION}`);
  const bin = join(venv, 'bin', 'schemathesis');
  if (existsSync(bin)) return bin;
  const python = requireTool('python3');
  say(`installing schemathesis ${SCHEMATHESIS_VERSION} into ${venv} (first run only)`);
  mkdirSync(cacheDir(), { recursive: true });
  for (const [cmd, args] of [
    [python, ['-m', 'venv', venv]],
    [join(venv, 'bin', 'pip'), ['install', '--quiet', `schemathesis==${SCHEMATHESIS_VERSION}`]],
  ] as const) {
    const done = spawnSync(cmd, args, { stdio: 'inherit' });
    if (done.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed`);
  }
  return bin;
}

function runSchemathesis(
  bin: string,
  app: StartedChild,
  token: string,
  reportDir: string,
): boolean {
  say(`schemathesis against ${app.name} (${app.url}/openapi.json)`);
  // per-app settings, where an app needs them (scripts/test-api/<app>.schemathesis.toml)
  const config = resolve(
    __dirname,
    '..',
    '..',
    'scripts',
    'test-api',
    `${app.name}.schemathesis.toml`,
  );
  const result = spawnSync(
    bin,
    [
      ...(existsSync(config) ? ['--config-file', config] : []),
      'run',
      `${app.url}/openapi.json`,
      '--header',
      `Authorization: Bearer ${token}`,
      '--checks',
      [
        'not_a_server_error',
        'status_code_conformance',
        'content_type_conformance',
        'response_headers_conformance',
        'response_schema_conformance',
        'negative_data_rejection',
        'ignored_auth',
      ].join(','),
      '--phases',
      'examples,coverage,fuzzing',
      ...(existsSync(config) ? [] : ['--max-examples', String(MAX_EXAMPLES)]),
      '--seed',
      '17',
      // one worker: hypothesis' lambda descriptions race in CPython 3.11's ast module with threads
      '--workers',
      '1',
      '--request-timeout',
      '20',
      '--suppress-health-check',
      'too_slow,filter_too_much',
      '--no-color',
      '--report',
      'junit',
      '--report-dir',
      join(reportDir, app.name),
      '--generation-database',
      'none',
    ],
    // its crash cache (.schemathesis/) goes beside the reports, not into the work tree's root
    { stdio: 'inherit', cwd: reportDir },
  );
  return result.status === 0;
}

async function main(): Promise<void> {
  const started = Date.now();
  const bin = schemathesis();
  const services = await resolveServices();
  const sim = await startOktaSim({ port: 0, users: 60, seed: 5 });
  const [collectorPort, projectorPort] = [await freePort(), await freePort()];
  const common = {
    KAFKA_BROKERS: services.kafkaBrokers,
    MONGODB_URI: services.mongoUri,
    // own databases, topics and group: a run never mixes with another one
    KAFKA_TOPIC_PREFIX: `test-api-${process.pid}-`,
    LOG_LEVEL: 'warn',
  };
  const apps = [
    startAppProcess(
      'okta-collector',
      collectorPort,
      {
        ...common,
        COLLECTOR_DB: `test_api_${process.pid}_collector`,
        COLLECTOR_API_TOKEN: COLLECTOR_TOKEN,
        TOKEN_ENCRYPTION_KEYS: `t:${Buffer.alloc(32, 3).toString('base64')}`,
        OKTA_ALLOW_INSECURE_HOSTS: sim.hostPort,
        SCHEDULER_ENABLED: 'false',
        // fuzzed domains are unreachable here: fail them fast
        OKTA_CALL_DEADLINE_MS: '1500',
      },
      'inherit',
    ),
    startAppProcess(
      'evidence-projector',
      projectorPort,
      {
        ...common,
        PROJECTOR_DB: `test_api_${process.pid}_evidence`,
        PROJECTOR_API_TOKEN: PROJECTOR_TOKEN,
        PROJECTOR_GROUP_ID: `test-api-${process.pid}`,
      },
      'inherit',
    ),
  ] as const;
  const [collector, projector] = apps;
  let passed = false;
  try {
    for (const app of apps)
      await waitFor(app.name, () => isHealthy(app.url), {
        timeoutMs: 90_000,
        intervalMs: 500,
        isAlive: app.exited,
      });
    const base = `${collector.url}/v1/orgs/${ORG}/okta`;
    const connected = await call('PUT', `${base}/connection`, COLLECTOR_TOKEN, {
      domain: sim.url,
      apiToken: sim.token,
    });
    if (connected.status !== 200)
      throw new Error(
        `connecting ${ORG}: HTTP ${connected.status} ${JSON.stringify(connected.json)}`,
      );
    await call('POST', `${base}/syncs`, COLLECTOR_TOKEN, { scope: 'all' });
    await waitFor(
      'the example org evidence',
      async () =>
        (
          await call(
            'GET',
            `${projector.url}/v1/orgs/${ORG}/evidence/authentication`,
            PROJECTOR_TOKEN,
          )
        ).status === 200 || undefined,
      { timeoutMs: 120_000, intervalMs: 1000 },
    );
    say(`both apps up, ${ORG} synced after ${Math.round((Date.now() - started) / 1000)} s`);
    const reports = resolve(__dirname, '..', '..', 'schemathesis-report');
    mkdirSync(reports, { recursive: true });
    const results = [
      runSchemathesis(bin, projector, PROJECTOR_TOKEN, reports),
      runSchemathesis(bin, collector, COLLECTOR_TOKEN, reports),
    ];
    passed = results.every(Boolean);
  } finally {
    await Promise.all(apps.map((app) => app.stop()));
    await sim.close();
    await services.stop();
  }
  say(`${passed ? 'passed' : 'FAILED'} in ${Math.round((Date.now() - started) / 1000)} s`);
  process.exit(passed ? 0 : 1);
}

main().catch((error: unknown) => {
  process.stderr.write(`test:api: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
