import { MongoClient } from 'mongodb';
import { eventually } from './wait';

export interface FinishedRequest {
  _id: string;
  state: string;
  syncIds?: string[];
  note?: string;
}

/** Waits until the collector's inbox shows a request in a final state (done, failed, skipped, satisfied). */
export function waitForRequest(
  mongo: MongoClient,
  collectorDb: string,
  requestId: string,
  timeoutMs = 240_000,
): Promise<FinishedRequest> {
  return eventually(
    async () => {
      const doc = await mongo
        .db(collectorDb)
        .collection<FinishedRequest>('sync_requests')
        .findOne({ _id: requestId });
      return doc && !['queued', 'running'].includes(doc.state) ? doc : undefined;
    },
    `request ${requestId} finished`,
    timeoutMs,
    200,
  );
}
