import { Inject, Injectable } from '@nestjs/common';
import { Collection, Db, MongoServerError } from 'mongodb';
import { PROJECTOR_DB } from '../platform/mongo.providers';

/** The highest lease fence seen on an org's identity-topic records (`regentra-fence` header). */
export interface IdentityFenceDoc {
  _id: string; // orgId
  orgId: string;
  fence: number;
}

/** `identity_fences`: one small document per org, only ever raised (`$max`). */
@Injectable()
export class IdentityFencesRepository {
  private readonly collection: Collection<IdentityFenceDoc>;

  constructor(@Inject(PROJECTOR_DB) db: Db) {
    this.collection = db.collection<IdentityFenceDoc>('identity_fences');
  }

  /** The recorded highest fence of each org that has one. */
  async highest(orgIds: readonly string[]): Promise<Map<string, number>> {
    const docs = await this.collection.find({ _id: { $in: [...orgIds] } }).toArray();
    return new Map(docs.map((doc) => [doc._id, doc.fence]));
  }

  /** Raises each org's fence to at least the given one; never lowers it. */
  async raise(fences: ReadonlyMap<string, number>): Promise<void> {
    for (const [orgId, fence] of fences) {
      const write = () =>
        this.collection.updateOne(
          { _id: orgId },
          { $max: { fence }, $setOnInsert: { orgId } },
          { upsert: true },
        );
      try {
        await write();
      } catch (error) {
        // Two first upserts of one org raced: the document exists now, so this one updates it.
        if (!(error instanceof MongoServerError && error.code === 11000)) throw error;
        await write();
      }
    }
  }
}
