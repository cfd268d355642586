import { Db, MongoClient } from 'mongodb';

export const MONGO_CLIENT = Symbol('MONGO_CLIENT');
export const COLLECTOR_DB = Symbol('COLLECTOR_DB');

export async function connectMongo(uri: string): Promise<MongoClient> {
  const client = new MongoClient(uri, {
    serverSelectionTimeoutMS: 10_000,
    // FerretDB and MongoDB both: plain writes, no sessions/transactions relied upon.
    retryWrites: false,
  });
  await client.connect();
  return client;
}

export type { Db };
