import type { DirectoryChange } from './directory-changes';
import type { OktaAppDocument, OktaAppProfile } from './okta-app.document';
import type { OktaGroupDocument, OktaGroupProfile } from './okta-group.document';
import type { OktaUserDocument, OktaUserProfile } from './okta-user.document';
import { USER_DATASET_KEYS, type UserDatasetKey, type UserDatasetValues } from './user-datasets';

/**
 * A sync's staged records, indexed for assembly (`assembleDirectory`): what
 * `addStagedRecord` (datasets.ts) builds from the staged pages, and what the
 * incremental overlay and the fold work on. No I/O.
 */

/** The staged value of each per-user dataset, by user id (fields of StagedSync). */
export type UserDatasetMaps = { [K in UserDatasetKey]: Map<string, UserDatasetValues[K]> };

export function emptyUserDatasets(): UserDatasetMaps {
  return Object.fromEntries(USER_DATASET_KEYS.map((key) => [key, new Map()])) as UserDatasetMaps;
}

/** Sets one user's staged value of a per-user dataset. */
export function setUserValue<K extends UserDatasetKey>(
  maps: UserDatasetMaps,
  key: K,
  userId: string,
  value: UserDatasetValues[K],
): void {
  const map: Map<string, UserDatasetValues[K]> = maps[key];
  map.set(userId, value);
}

export type AppUserAssignment = { userId: string; scope: string | null; status: string | null };

/** A sync's staged records, indexed for assembly. */
export interface StagedSync extends UserDatasetMaps {
  /** By id: an entity on two pages (Okta paging while it changes) counts once, the later page wins. */
  users: Map<string, OktaUserProfile>;
  /** Users Okta deleted (UsersDeleted, incremental syncs): never assembled, whatever else names them. */
  deletedUsers: Set<string>;
  /**
   * The sync that last listed each user, for users this sync did not list
   * (an incremental sync carries them over from its base); absent = this sync.
   */
  userLastSeen: Map<string, string>;
  groups: Map<string, OktaGroupProfile>;
  groupMembers: Parts<string>;
  groupRoles: Map<string, { known: boolean; types: string[] }>;
  apps: Map<string, OktaAppProfile>;
  appUsers: Parts<AppUserAssignment>;
  appGroups: Parts<string>;
  sweep: Map<string, { collection: string; doc: { _id: string } & Record<string, unknown> }>;
  /**
   * An incremental sync's base documents, staged before its writes so a
   * completion repeated after a crash starts from the same state; `counts`
   * (how many of each were staged) once every one of them was. Empty for a
   * full sync.
   */
  base: {
    users: Map<string, OktaUserDocument>;
    groups: Map<string, OktaGroupDocument>;
    apps: Map<string, OktaAppDocument>;
    counts: { users: number; groups: number; apps: number } | null;
  };
  /**
   * The sync's changes, staged before its writes (`pages`: each staged
   * page's changes; `count` once every one of them was). Empty when none
   * were staged.
   */
  changes: { pages: Map<string, DirectoryChange[]>; count: number | null };
}

interface PartList<T> {
  parts: Map<number, T[]>;
  lastPart: number | null;
  unknown: boolean;
}

/** Collects the parts of a paged sub-list; complete only when every part up to the last arrived. */
export class Parts<T> {
  private readonly lists = new Map<string, PartList<T>>();

  add(
    entityId: string,
    part: number,
    status: 'read' | 'unknown',
    lastPart: boolean,
    items: T[],
  ): void {
    const list = this.lists.get(entityId) ?? { parts: new Map(), lastPart: null, unknown: false };
    if (status === 'unknown') list.unknown = true;
    list.parts.set(part, items);
    if (lastPart) list.lastPart = part;
    this.lists.set(entityId, list);
  }

  /** The whole list, or null when it is unknown or incomplete. */
  get(entityId: string): T[] | null {
    const list = this.lists.get(entityId);
    if (!list || list.unknown || list.lastPart === null) return null;
    const all: T[] = [];
    for (let part = 0; part <= list.lastPart; part += 1) {
      const items = list.parts.get(part);
      if (!items) return null;
      all.push(...items);
    }
    return all;
  }

  entities(): string[] {
    return [...this.lists.keys()];
  }

  /** Whether any part of the entity's list arrived (read, unknown or incomplete). */
  has(entityId: string): boolean {
    return this.lists.has(entityId);
  }
}

export function emptyStagedSync(): StagedSync {
  return {
    users: new Map(),
    deletedUsers: new Set(),
    userLastSeen: new Map(),
    ...emptyUserDatasets(),
    groups: new Map(),
    groupMembers: new Parts(),
    groupRoles: new Map(),
    apps: new Map(),
    appUsers: new Parts(),
    appGroups: new Parts(),
    sweep: new Map(),
    base: { users: new Map(), groups: new Map(), apps: new Map(), counts: null },
    changes: { pages: new Map(), count: null },
  };
}
