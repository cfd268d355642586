import { MongoClient } from 'mongodb';

export const MONGO_CLIENT = Symbol('MONGO_CLIENT');
export const PROJECTOR_DB = Symbol('PROJECTOR_DB');

/** Plain writes only: FerretDB and MongoDB both, no sessions or transactions relied upon. */
export async function openMongo(uri: string): Promise<MongoClient> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000, retryWrites: false });
  await client.connect();
  return client;
}

/**
 * FerretDB 1.24 (SQLite) scans the collection for every upsert in an update
 * command (measured: 50 upserts took 88 ms on 500 documents, 777 ms on 5,000),
 * so writes whose documents are keyed by position use inserts instead:
 * `insertMany(ordered:false)` with a duplicate key meaning "already written".
 */
export async function insertIgnoringDuplicates<T extends import('mongodb').Document>(
  collection: import('mongodb').Collection<T>,
  docs: import('mongodb').OptionalUnlessRequiredId<T>[],
  chunk = 500,
): Promise<void> {
  for (let i = 0; i < docs.length; i += chunk) {
    try {
      await collection.insertMany(docs.slice(i, i + chunk), { ordered: false });
    } catch (error) {
      const { MongoBulkWriteError } = await import('mongodb');
      const errors = error instanceof MongoBulkWriteError ? [error.writeErrors].flat() : [];
      if (!(error instanceof MongoBulkWriteError) || !errors.every((e) => e.code === 11000))
        throw error;
    }
  }
}
