import { startFerretdb } from './ferretdb';
import { startKafka } from './kafka';
import { log } from './tools';

export interface ResolvedServices {
  kafkaBrokers: string;
  mongoUri: string;
  /** Where each came from: env, testcontainers or local. */
  sources: { kafka: string; mongo: string };
  /** Stops only what this call started. */
  stop(): Promise<void>;
}

type Stopper = () => Promise<void>;

/** True when a Docker (or compatible) engine answers; the client alone is not enough. */
async function dockerEngineAnswers(): Promise<boolean> {
  if (process.env.REGENTRA_NO_TESTCONTAINERS === '1') return false;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await Promise.race([
      getContainerRuntimeClient(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 5_000)),
    ]);
    return true;
  } catch {
    return false;
  }
}

async function kafkaFromTestcontainers(): Promise<{ brokers: string; stop: Stopper }> {
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const container = await new KafkaContainer('confluentinc/cp-kafka:7.9.1').withKraft().start();
  return {
    brokers: `${container.getHost()}:${container.getMappedPort(9093)}`,
    stop: async () => {
      await container.stop();
    },
  };
}

async function mongoFromTestcontainers(): Promise<{ uri: string; stop: Stopper }> {
  const { MongoDBContainer } = await import('@testcontainers/mongodb');
  const container = await new MongoDBContainer('mongo:7').start();
  return {
    uri: `${container.getConnectionString()}/?directConnection=true`,
    stop: async () => {
      await container.stop();
    },
  };
}

/**
 * Services named in the environment win (KAFKA_BROKERS, MONGODB_URI); then
 * testcontainers where a Docker engine answers; else Kafka from its jars and
 * FerretDB built from the Go proxy, started here.
 */
export async function resolveServices(
  env: NodeJS.ProcessEnv = process.env,
  /** true for `npm start`: PostgreSQL keeps fsync; tests and benches trade it for speed. */
  { durable = false }: { durable?: boolean } = {},
): Promise<ResolvedServices> {
  const stoppers: Stopper[] = [];
  const stopAll = async () => {
    for (const stop of stoppers.reverse())
      await stop().catch((e) => log(`stop failed: ${String(e)}`));
  };
  try {
    let docker: boolean | undefined;
    const useDocker = async () => (docker ??= await dockerEngineAnswers());
    const kafkaPromise = (async () => {
      if (env.KAFKA_BROKERS) return { brokers: env.KAFKA_BROKERS, source: 'env' };
      const started = (await useDocker()) ? await kafkaFromTestcontainers() : await startKafka();
      stoppers.push(started.stop);
      return { brokers: started.brokers, source: docker ? 'testcontainers' : 'local' };
    })();
    const mongoPromise = (async () => {
      if (env.MONGODB_URI) return { uri: env.MONGODB_URI, source: 'env' };
      const started = (await useDocker())
        ? await mongoFromTestcontainers()
        : await startFerretdb({ durable, env });
      stoppers.push(started.stop);
      return { uri: started.uri, source: docker ? 'testcontainers' : 'local' };
    })();
    const [kafka, mongo] = await Promise.all([kafkaPromise, mongoPromise]);
    return {
      kafkaBrokers: kafka.brokers,
      mongoUri: mongo.uri,
      sources: { kafka: kafka.source, mongo: mongo.source },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
