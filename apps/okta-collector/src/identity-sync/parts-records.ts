import type { IdentityEvent, OktaAppGroup, OktaAppUser } from '@regentra/contracts';
import { IDENTITY_DATASETS } from './datasets';
import type { PayloadOf } from './sync-event-writer';

/** A sub-list in parts (`part`, `lastPart`), as the runner streams it; `reason` when unknown. */
export interface Parts<I> {
  status: 'read' | 'unknown';
  part: number;
  lastPart: boolean;
  items: I[];
  reason?: string;
}

/** The record a dataset read in parts publishes, and its payload for one part. */
export interface PartsRecord<T extends IdentityEvent['type'], I> {
  type: T;
  payload(parentId: string, parts: Parts<I>): PayloadOf<T>;
}

export const GROUP_MEMBERS: PartsRecord<'GroupMembers', string> = {
  type: IDENTITY_DATASETS.groupMembers.publishes,
  payload: (groupId, p) => ({ groupId, ...head(p), memberIds: p.items, reason: p.reason }),
};
export const APP_USERS: PartsRecord<'AppUserAssignments', OktaAppUser> = {
  type: IDENTITY_DATASETS.appUsers.publishes,
  payload: (appId, p) => ({ appId, ...head(p), assignments: p.items, reason: p.reason }),
};
export const APP_GROUPS: PartsRecord<'AppGroupAssignments', OktaAppGroup> = {
  type: IDENTITY_DATASETS.appGroups.publishes,
  payload: (appId, p) => ({ appId, ...head(p), assignments: p.items, reason: p.reason }),
};

function head<I>(p: Parts<I>): Pick<Parts<I>, 'status' | 'part' | 'lastPart'> {
  return { status: p.status, part: p.part, lastPart: p.lastPart };
}

/** A paged list of objects as pages of their ids. */
export async function* idsOf(
  pages: AsyncIterable<Array<{ id: string }>>,
): AsyncGenerator<string[]> {
  for await (const page of pages) yield page.map((item) => item.id);
}
