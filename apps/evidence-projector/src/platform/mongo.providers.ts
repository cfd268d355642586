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
 * FerretDB 1.24 (SQLite) stalls on one `update` command that replaces a few
 * hundred existing documents (the whole database blocks; measured here: 300
 * replaces in one command never answered, 6 commands of 50 took 0.5 s).
 * Every bulk write goes out in chunks of this size; MongoDB is indifferent.
 */
export const BULK_CHUNK = 50;

export async function bulkWriteChunked<T extends import('mongodb').Document>(
  collection: import('mongodb').Collection<T>,
  ops: import('mongodb').AnyBulkWriteOperation<T>[],
): Promise<void> {
  for (let i = 0; i < ops.length; i += BULK_CHUNK) {
    await collection.bulkWrite(ops.slice(i, i + BULK_CHUNK), { ordered: false });
  }
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
