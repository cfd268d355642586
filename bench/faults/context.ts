import { Kafka } from 'kafkajs';
import { Cluster } from './processes';

/** What a fault's steps may use besides its pipeline. */
export interface FaultContext {
  kafka: Kafka;
  cluster: Cluster;
  log: (message: string) => void;
  detail: string[];
}
