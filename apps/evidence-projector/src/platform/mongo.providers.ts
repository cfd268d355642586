import { MongoClient } from 'mongodb';

export const MONGO_CLIENT = Symbol('MONGO_CLIENT');
export const PROJECTOR_DB = Symbol('PROJECTOR_DB');

/** Plain writes only: FerretDB and MongoDB both, no sessions or transactions relied upon. */
export async function openMongo(uri: string): Promise<MongoClient> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000, retryWrites: false });
  await client.connect();
  return client;
}
