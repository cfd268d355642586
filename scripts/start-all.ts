import { spawn, ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { resolveServices } from './infra/services';
import { log, waitFor } from './infra/tools';
import { startOktaSim, DEMO_TOKEN } from '../tools/okta-sim';

/**
 * `npm start`: everything on one machine with embedded demo defaults — Kafka and
 * FerretDB (unless KAFKA_BROKERS / MONGODB_URI name running ones), the demo
 * Okta org (simulator), the collector and the projector as real processes, a
 * demo connection, and a first "all" sync. Ctrl-C stops what it started.
 */
const DEMO_ORG_ID = process.env.DEMO_ORG_ID ?? 'demo-org';
const COLLECTOR_API_TOKEN = process.env.COLLECTOR_API_TOKEN ?? 'demo-collector-api-token-change-me';
const PROJECTOR_API_TOKEN = process.env.PROJECTOR_API_TOKEN ?? 'demo-projector-api-token-change-me';
// A fixed demo key: fine for a throwaway local demo, never for production.
const TOKEN_ENCRYPTION_KEYS =
  process.env.TOKEN_ENCRYPTION_KEYS ?? `demo:${Buffer.alloc(32, 7).toString('base64')}`;

function startApp(name: string, script: string, env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, [resolve(__dirname, '..', script)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.on('exit', (code, signal) =>
    log(`${name} exited (code ${code ?? '-'}, signal ${signal ?? '-'})`),
  );
  return child;
}

async function healthy(url: string): Promise<true | undefined> {
  const response = await fetch(`${url}/health`);
  return response.ok ? true : undefined;
}

async function main(): Promise<void> {
  const services = await resolveServices();
  const sim = await startOktaSim({
    port: Number(process.env.OKTA_SIM_PORT ?? 0),
    users: Number(process.env.DEMO_USERS ?? 500),
    seed: 42,
  });
  const collectorPort = Number(process.env.COLLECTOR_PORT ?? 3000);
  const projectorPort = Number(process.env.PROJECTOR_PORT ?? 3001);
  const common = { KAFKA_BROKERS: services.kafkaBrokers, MONGODB_URI: services.mongoUri };
  const children = [
    startApp('okta-collector', 'apps/okta-collector/src/main.js', {
      ...common,
      PORT: String(collectorPort),
      COLLECTOR_API_TOKEN,
      TOKEN_ENCRYPTION_KEYS,
      OKTA_ALLOW_INSECURE_HOSTS: sim.hostPort,
    }),
    startApp('evidence-projector', 'apps/evidence-projector/src/main.js', {
      ...common,
      PORT: String(projectorPort),
      PROJECTOR_API_TOKEN,
    }),
  ];
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    log('stopping…');
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      ),
    );
    await sim.close();
    await services.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  const collector = `http://127.0.0.1:${collectorPort}`;
  const projector = `http://127.0.0.1:${projectorPort}`;
  await waitFor('okta-collector', () => healthy(collector), { timeoutMs: 60_000, intervalMs: 500 });
  await waitFor('evidence-projector', () => healthy(projector), {
    timeoutMs: 60_000,
    intervalMs: 500,
  });
  const auth = {
    authorization: `Bearer ${COLLECTOR_API_TOKEN}`,
    'content-type': 'application/json',
  };
  const connect = await fetch(`${collector}/v1/orgs/${DEMO_ORG_ID}/okta/connection`, {
    method: 'PUT',
    headers: auth,
    body: JSON.stringify({ domain: sim.url, apiToken: DEMO_TOKEN }),
  });
  log(`demo connection: HTTP ${connect.status} ${await connect.text()}`);
  const sync = await fetch(`${collector}/v1/orgs/${DEMO_ORG_ID}/okta/syncs`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ scope: 'all' }),
  });
  log(`first sync requested: HTTP ${sync.status} ${await sync.text()}`);
  process.stdout.write(
    [
      '',
      'Regentra Okta evidence pipeline is running (Ctrl-C stops it):',
      `  Kafka            ${services.kafkaBrokers} (${services.sources.kafka})`,
      `  MongoDB          ${services.mongoUri} (${services.sources.mongo})`,
      `  demo Okta org    ${sim.url} (simulator)`,
      `  okta-collector   ${collector}   (Authorization: Bearer ${COLLECTOR_API_TOKEN})`,
      `  projector        ${projector}   (Authorization: Bearer ${PROJECTOR_API_TOKEN})`,
      '',
      'Try:',
      `  curl -s -H 'Authorization: Bearer ${COLLECTOR_API_TOKEN}' ${collector}/v1/orgs/${DEMO_ORG_ID}/okta/status`,
      `  curl -s -H 'Authorization: Bearer ${PROJECTOR_API_TOKEN}' ${projector}/v1/orgs/${DEMO_ORG_ID}/evidence/authentication`,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
