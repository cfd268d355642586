import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { ManagedProcess } from './managed-process';
import { freePort } from './ports';
import { cacheDir, log, requireTool, run, waitFor } from './tools';

/**
 * Apache Kafka from the broker jars on Maven Central, one combined
 * broker+controller in KRaft mode on 127.0.0.1. Version checked against
 * kafkajs 2.2.4 by test/infra/kafka-compat.int.spec.ts.
 */
export const KAFKA_VERSION = process.env.KAFKA_VERSION ?? '4.1.1';

const POM = resolve(__dirname, '..', '..', '..', 'scripts', 'infra', 'kafka-pom.xml');
const POM_FALLBACK = resolve(__dirname, 'kafka-pom.xml');

/** Resolves kafka_2.13 + slf4j into the cache once; later calls are free. */
export function ensureKafkaJars(version = KAFKA_VERSION): string {
  const lib = join(cacheDir(), `kafka-${version}`, 'lib');
  const marker = join(lib, `kafka_2.13-${version}.jar`);
  if (existsSync(marker)) return lib;
  requireTool('java');
  requireTool('mvn');
  log(`resolving Apache Kafka ${version} jars from Maven Central into ${lib}`);
  mkdirSync(lib, { recursive: true });
  run('mvn', [
    '-q',
    '-B',
    '-f',
    existsSync(POM) ? POM : POM_FALLBACK,
    `-Dkafka.version=${version}`,
    `-Dmaven.repo.local=${join(cacheDir(), 'm2')}`,
    'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies',
    '-DincludeScope=runtime',
    `-DoutputDirectory=${lib}`,
  ]);
  if (!existsSync(marker)) throw new Error(`Kafka jars missing after resolve: ${marker}`);
  return lib;
}

export interface RunningKafka {
  brokers: string;
  /** With `secure`: the SASL_SSL listener and the CA file that signs its certificate. */
  secure?: { brokers: string; caFile: string };
  stop(): Promise<void>;
  /** kill -9 of the broker (the fault suite; start again with the same dataDir and ports). */
  kill(): Promise<void>;
  /** The ports it listens on, to restart it on the same ones. */
  ports: { port: number; controllerPort: number };
}

/** A SASL_SSL listener beside the plaintext one, as managed Kafka services offer. */
export interface SecureListener {
  username: string;
  password: string;
}

interface SecureSetup {
  port: number;
  keystore: string;
  storePassword: string;
  user: SecureListener;
}

/** A self-signed certificate for 127.0.0.1 (keytool ships with the JDK we already need). */
function makeCertificate(dir: string): { keystore: string; caFile: string; storePassword: string } {
  const keytool = requireTool('keytool');
  const keystore = join(dir, 'broker.p12');
  const caFile = join(dir, 'ca.pem');
  const storePassword = randomBytes(12).toString('hex');
  run(keytool, [
    '-genkeypair',
    '-alias',
    'broker',
    '-keyalg',
    'RSA',
    '-keysize',
    '2048',
    '-dname',
    'CN=127.0.0.1',
    '-ext',
    'SAN=IP:127.0.0.1,DNS:localhost',
    '-validity',
    '7',
    '-keystore',
    keystore,
    '-storetype',
    'PKCS12',
    '-storepass',
    storePassword,
    '-keypass',
    storePassword,
  ]);
  run(keytool, [
    '-exportcert',
    '-rfc',
    '-alias',
    'broker',
    '-keystore',
    keystore,
    '-storepass',
    storePassword,
    '-file',
    caFile,
  ]);
  return { keystore, caFile, storePassword };
}

function secureProperties(setup: SecureSetup): string[] {
  const scram = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';
  const plain = `org.apache.kafka.common.security.plain.PlainLoginModule required user_${setup.user.username}="${setup.user.password}";`;
  return [
    'sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512,PLAIN',
    `listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=${scram}`,
    `listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=${scram}`,
    `listener.name.sasl_ssl.plain.sasl.jaas.config=${plain}`,
    'ssl.keystore.type=PKCS12',
    `ssl.keystore.location=${setup.keystore}`,
    `ssl.keystore.password=${setup.storePassword}`,
    `ssl.key.password=${setup.storePassword}`,
    'ssl.client.auth=none',
  ];
}

function serverProperties(
  port: number,
  controllerPort: number,
  logDir: string,
  secure?: SecureSetup,
): string {
  const listeners = [`PLAINTEXT://127.0.0.1:${port}`];
  if (secure) listeners.push(`SASL_SSL://127.0.0.1:${secure.port}`);
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=${listeners.join(',')},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=${listeners.join(',')}`,
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT',
    ...(secure ? secureProperties(secure) : []),
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${logDir}`,
    'num.partitions=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=false',
    // small segments keep a test broker's disk and start-up cheap
    'log.segment.bytes=16777216',
    '',
  ].join('\n');
}

/**
 * A KRaft cluster id (16 random bytes, base64url). One in 64 starts with '-',
 * which the storage tool's argument parser takes for an option ("expected one
 * argument"): Kafka's own Uuid.randomUuid redraws those, so do we.
 */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** Starts a fresh broker in a temp dir; resolves when the admin client answers. */
export async function startKafka(
  opts: {
    version?: string;
    dataDir?: string;
    secure?: SecureListener;
    /** Fixed ports (a restart on the same data dir); free ones by default. */
    port?: number;
    controllerPort?: number;
  } = {},
): Promise<RunningKafka> {
  const lib = ensureKafkaJars(opts.version);
  const java = requireTool('java');
  const dir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'regentra-kafka-'));
  const logDir = join(dir, 'data');
  mkdirSync(logDir, { recursive: true });
  const port = opts.port ?? (await freePort());
  const controllerPort = opts.controllerPort ?? (await freePort());
  const props = join(dir, 'server.properties');
  const certificate = opts.secure ? makeCertificate(dir) : undefined;
  const secure =
    opts.secure && certificate
      ? { port: await freePort(), ...certificate, user: opts.secure }
      : undefined;
  writeFileSync(props, serverProperties(port, controllerPort, logDir, secure));
  const classpath = `${lib}/*`;
  const clusterId = newClusterId();
  const formatted = readdirSync(logDir).includes('meta.properties');
  if (!formatted) {
    run(java, [
      '-cp',
      classpath,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId,
      '-c',
      props,
      '--ignore-formatted',
      // SCRAM users live in the cluster metadata: KRaft adds them when formatting
      ...(secure
        ? ['SCRAM-SHA-256', 'SCRAM-SHA-512'].flatMap((mechanism) => [
            '--add-scram',
            `${mechanism}=[name=${secure.user.username},password=${secure.user.password}]`,
          ])
        : []),
    ]);
  }
  const logFile = join(dir, 'kafka.log');
  const proc = ManagedProcess.start(
    'kafka',
    java,
    [
      '-Xms256m',
      '-Xmx768m',
      '-XX:+UseG1GC',
      '-XX:TieredStopAtLevel=1',
      `-Dkafka.logs.dir=${dir}`,
      '-cp',
      classpath,
      'kafka.Kafka',
      props,
    ],
    logFile,
  );
  const brokers = `127.0.0.1:${port}`;
  log(
    `starting Kafka ${opts.version ?? KAFKA_VERSION} on ${brokers} (pid ${proc.pid}, log ${logFile})`,
  );
  const kafka = new Kafka({
    clientId: 'infra-probe',
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  });
  try {
    await waitFor(
      'Kafka',
      async () => {
        const admin = kafka.admin();
        await admin.connect();
        try {
          const cluster = await admin.describeCluster();
          return cluster.brokers.length > 0 ? cluster : undefined;
        } finally {
          await admin.disconnect();
        }
      },
      { timeoutMs: 90_000, intervalMs: 500, isAlive: () => proc.deadReason() },
    );
  } catch (error) {
    await proc.stop(2_000);
    throw error;
  }
  return {
    brokers,
    ...(secure && certificate
      ? { secure: { brokers: `127.0.0.1:${secure.port}`, caFile: certificate.caFile } }
      : {}),
    stop: async () => {
      await proc.stop();
      if (!opts.dataDir) rmSync(dir, { recursive: true, force: true });
    },
    kill: () => proc.kill(),
    ports: { port, controllerPort },
  };
}
