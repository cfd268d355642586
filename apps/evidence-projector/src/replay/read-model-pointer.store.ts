import { Db } from 'mongodb';

/** In the configured PROJECTOR_DB: which database and consumer group are live after a replay. */
export const READ_MODEL_POINTER = 'read_model_pointer';

export interface ReadModelPointer {
  _id: string; // 'active'
  database: string;
  groupId: string;
  switchedAt: Date;
}

const pointers = (db: Db) => db.collection<ReadModelPointer>(READ_MODEL_POINTER);

/** The database and group `npm run replay -- --switch` made live, if any. */
export function activeReadModel(db: Db): Promise<ReadModelPointer | null> {
  return pointers(db).findOne({ _id: 'active' });
}

/** Makes `database` and `groupId` live for projector instances started from now on. */
export async function switchReadModel(db: Db, database: string, groupId: string): Promise<void> {
  await pointers(db).replaceOne(
    { _id: 'active' },
    { database, groupId, switchedAt: new Date() },
    { upsert: true },
  );
}
