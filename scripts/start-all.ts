import { CONTROL_IDS } from '../apps/evidence-projector/src/evidence/rules/controls.registry';
import { LOCAL_ISSUER, localAuthDir, localSigningKey } from '../tools/local-issuer/local-issuer';
import { startOktaSim, DEMO_TOKEN } from '../tools/okta-sim';
import { resolveServices } from './infra/services';
import { waitFor } from './infra/tools';
import { call, isHealthy, startAppProcess, StartedChild } from './stack/apps';
import { StartConsole } from './stack/console';

/**
 * `npm start`: everything on one machine with embedded demo defaults — Kafka and
 * FerretDB (unless KAFKA_BROKERS / MONGODB_URI name running ones), the demo
 * Okta org (simulator), the collector and the projector as real processes, a
 * demo connection, and a first "all" sync, followed on screen until its
 * evidence is ready. Ctrl-C stops what it started.
 */
const DEMO_ORG_ID = process.env.DEMO_ORG_ID ?? 'demo-org';
const COLLECTOR_API_TOKEN = process.env.COLLECTOR_API_TOKEN ?? 'demo-collector-api-token-change-me';
const PROJECTOR_API_TOKEN = process.env.PROJECTOR_API_TOKEN ?? 'demo-projector-api-token-change-me';
// A fixed demo key: fine for a throwaway local demo, never for production.
const TOKEN_ENCRYPTION_KEYS =
  process.env.TOKEN_ENCRYPTION_KEYS ?? `demo:${Buffer.alloc(32, 7).toString('base64')}`;

type Json = Record<string, unknown>;
type Run = { syncId: string; state: string; phase: string; progress: Record<string, number> };
type Status = { identity: { running: Run | null; last: (Run & { outcome: Json | null }) | null } };

const out = new StartConsole();
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** "users 1,200 · factors 800" from a run's progress counts. */
function countsOf(progress: Record<string, number>): string {
  return Object.entries(progress)
    .map(([name, n]) => `${name} ${n.toLocaleString('en')}`)
    .join(' · ');
}

const statusUrl = (collector: string) => `${collector}/v1/orgs/${DEMO_ORG_ID}/okta/status`;

/** The identity sync the status shows as last finished, if any (a database kept from an earlier run). */
async function lastIdentitySync(collector: string): Promise<string | null> {
  const { status, json } = await call('GET', statusUrl(collector), COLLECTOR_API_TOKEN);
  return status === 200 ? ((json as Status).identity.last?.syncId ?? null) : null;
}

/**
 * Follows the identity sync that finishes after `before` on the status
 * endpoint (phase and counts on the progress line): its syncId when it
 * completed, else null.
 */
async function followFirstSync(collector: string, before: string | null): Promise<string | null> {
  const deadline = Date.now() + 15 * 60_000;
  while (Date.now() < deadline) {
    const { status, json } = await call('GET', statusUrl(collector), COLLECTOR_API_TOKEN);
    const identity = status === 200 ? (json as Status).identity : null;
    const last = identity?.last?.syncId === before ? null : identity?.last;
    if (identity?.running)
      out.progress(identity.running.phase, countsOf(identity.running.progress));
    else if (last?.state === 'completed') return last.syncId;
    else if (last) {
      out.progressDone();
      out.say(`first sync ${last.state}: ${JSON.stringify(last.outcome)}`);
      return null;
    } else out.progress('queued', '');
    await sleep(1000);
  }
  return null;
}

/** Waits until every control's evidence of `syncId` is served; the four documents. */
async function evidenceOf(projector: string, syncId: string): Promise<Record<string, Json>> {
  out.progress('projecting evidence', '');
  const found: Record<string, Json> = {};
  await waitFor(
    'evidence',
    async () => {
      for (const control of CONTROL_IDS) {
        if (found[control]) continue;
        const url = `${projector}/v1/orgs/${DEMO_ORG_ID}/evidence/${control}?limit=1`;
        const { status, json } = await call('GET', url, PROJECTOR_API_TOKEN);
        if (status === 200 && (json as Json).syncId === syncId) found[control] = json as Json;
      }
      return CONTROL_IDS.every((c) => found[c]) ? true : undefined;
    },
    { timeoutMs: 10 * 60_000, intervalMs: 1000 },
  );
  return found;
}

function summaryOf(evidence: Record<string, Json>): string[] {
  const figure = (control: string, name: string) =>
    ((evidence[control]?.summary ?? {}) as Json)[name] as number | null | undefined;
  const coverage = figure('authentication', 'mfaCoveragePercent');
  return [
    `  users              ${figure('access-review', 'totalUsers')} (${figure('access-review', 'activeUsers')} active), ${figure('access-review', 'groups')} groups, ${figure('access-review', 'apps')} apps`,
    `  MFA coverage       ${coverage === null || coverage === undefined ? 'n/a' : `${coverage} %`} of active users (${figure('authentication', 'mfaNotEnrolled')} without MFA)`,
    `  leavers w/ access  ${figure('provisioning', 'leaversWithAccess')}`,
    `  super admins       ${figure('least-privilege', 'superAdmins')} (${figure('least-privilege', 'adminRoleHolders')} admin role holders)`,
  ];
}

function howToUse(
  collector: string,
  projector: string,
  services: { kafka: string; mongo: string },
) {
  const c = `-H 'Authorization: Bearer ${COLLECTOR_API_TOKEN}'`;
  const p = `-H 'Authorization: Bearer ${PROJECTOR_API_TOKEN}'`;
  const org = `/v1/orgs/${DEMO_ORG_ID}`;
  return [
    '',
    'Running (Ctrl-C stops everything):',
    `  okta-collector      ${collector}   API docs ${collector}/docs   (COLLECTOR_API_TOKEN=${COLLECTOR_API_TOKEN})`,
    `  evidence-projector  ${projector}   API docs ${projector}/docs   (PROJECTOR_API_TOKEN=${PROJECTOR_API_TOKEN})`,
    `  Kafka ${services.kafka}   MongoDB ${services.mongo}`,
    '',
    'Try:',
    `  curl -s ${c} ${collector}${org}/okta/status`,
    `  curl -s ${p} ${projector}${org}/evidence/authentication`,
    `  curl -s ${p} ${projector}${org}/evidence/authentication/items/withoutMfa.csv`,
    `  curl -s ${c} -H 'Content-Type: application/json' -d '{"scope":"all"}' ${collector}${org}/okta/syncs`,
    'Or with a short-lived token scoped to one org and action, as the Regentra backend sends:',
    `  curl -s -H "Authorization: Bearer $(npm run -s token -- --org ${DEMO_ORG_ID} --scope evidence:read)" ${projector}${org}/evidence/authentication`,
    '',
  ];
}

async function main(): Promise<void> {
  if (!process.env.KAFKA_BROKERS || !process.env.MONGODB_URI)
    out.say('starting Kafka and FerretDB (the first run downloads and builds them)…');
  const services = await resolveServices(process.env, { durable: true });
  out.say(`Kafka ${services.kafkaBrokers} and MongoDB-wire ${services.mongoUri} are up`);
  const sim = await startOktaSim({
    port: Number(process.env.OKTA_SIM_PORT ?? 0),
    users: Number(process.env.DEMO_USERS ?? 500),
    seed: 42,
  });
  out.say(`demo Okta org (simulator) at ${sim.url}`);
  const collectorPort = Number(process.env.COLLECTOR_PORT ?? 3000);
  const projectorPort = Number(process.env.PROJECTOR_PORT ?? 3001);
  // signed tokens as in production: the local key `npm run token` mints with
  const signing = await localSigningKey(localAuthDir(process.env.REGENTRA_AUTH_DIR));
  const common = {
    KAFKA_BROKERS: services.kafkaBrokers,
    MONGODB_URI: services.mongoUri,
    AUTH_JWKS_FILE: signing.jwksFile,
    AUTH_ISSUER: LOCAL_ISSUER,
  };
  const toConsole = (line: string, app: string) => out.appLine(app, line);
  const children: StartedChild[] = [
    startAppProcess(
      'okta-collector',
      collectorPort,
      {
        ...common,
        COLLECTOR_API_TOKEN,
        TOKEN_ENCRYPTION_KEYS,
        OKTA_ALLOW_INSECURE_HOSTS: sim.hostPort,
      },
      toConsole,
    ),
    startAppProcess(
      'evidence-projector',
      projectorPort,
      { ...common, PROJECTOR_API_TOKEN },
      toConsole,
    ),
  ];
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    out.progressDone();
    out.say('stopping…');
    await Promise.all(children.map((child) => child.stop()));
    await sim.close();
    await services.stop();
    out.say('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  const [collector, projector] = children.map((child) => child.url) as [string, string];
  for (const child of children)
    await waitFor(child.name, () => isHealthy(child.url), {
      timeoutMs: 90_000,
      intervalMs: 500,
      isAlive: child.exited,
    });
  const base = `${collector}/v1/orgs/${DEMO_ORG_ID}/okta`;
  const connect = await call('PUT', `${base}/connection`, COLLECTOR_API_TOKEN, {
    domain: sim.url,
    apiToken: DEMO_TOKEN,
  });
  const answer = connect.json as Json & { tokenOwner?: { login?: string } };
  out.say(
    connect.status === 200
      ? `demo org "${DEMO_ORG_ID}" connected: token of ${answer.tokenOwner?.login}, read-only ${answer.readOnly}`
      : `connecting the demo org failed: HTTP ${connect.status} ${JSON.stringify(connect.json)}`,
  );
  const before = await lastIdentitySync(collector);
  const sync = await call('POST', `${base}/syncs`, COLLECTOR_API_TOKEN, { scope: 'all' });
  out.say(`first sync requested (${(sync.json as Json).requestId ?? `HTTP ${sync.status}`})`);
  const syncId = await followFirstSync(collector, before);
  if (syncId) {
    const evidence = await evidenceOf(projector, syncId);
    out.progressDone();
    out.say(`evidence of sync ${syncId} is ready:`);
    process.stdout.write(`${summaryOf(evidence).join('\n')}\n`);
  }
  out.progressDone();
  process.stdout.write(
    howToUse(collector, projector, { kafka: services.kafkaBrokers, mongo: services.mongoUri }).join(
      '\n',
    ),
  );
}

main().catch((error: unknown) => {
  out.progressDone();
  process.stderr.write(`start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
