import { StagedFactor, StagedRole, StagedUser } from './staged-records';

/** Per-user facts assembled from one completed sync's staged records. */
export interface AssembledUser extends StagedUser {
  factors: { status: 'read'; items: StagedFactor[] } | { status: 'unknown'; reason: string };
  groupIds: string[];
  /** Groups whose member list could not be read (the user's membership there is unknown). */
  appAssignments: Array<{ appId: string; scope: string; status: string | null }>;
  roles:
    | { status: 'read'; items: StagedRole[] }
    | { status: 'unknown'; reason: string }
    | { status: 'none' };
}

export interface AssembledGroup {
  id: string;
  name: string | null;
  type: string;
  memberCount: number | null;
  roles: string[];
  rolesKnown: boolean;
}

export interface AssembledApp {
  id: string;
  label: string | null;
  name: string | null;
  status: string;
  userAssignmentCount: number | null;
  groupIds: string[];
  assignmentsKnown: boolean;
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
}

/** Inverts group → members and app → assignments into per-user lookups. */
export class Memberships {
  readonly groupsOfUser = new Map<string, string[]>();
  readonly appsOfUser = new Map<
    string,
    Array<{ appId: string; scope: string; status: string | null }>
  >();

  addGroup(groupId: string, memberIds: string[]): void {
    for (const userId of memberIds) {
      const list = this.groupsOfUser.get(userId) ?? [];
      list.push(groupId);
      this.groupsOfUser.set(userId, list);
    }
  }

  addApp(
    appId: string,
    assignments: Array<{ userId: string; scope: string | null; status: string | null }>,
  ): void {
    for (const a of assignments) {
      const list = this.appsOfUser.get(a.userId) ?? [];
      list.push({ appId, scope: a.scope ?? 'USER', status: a.status });
      this.appsOfUser.set(a.userId, list);
    }
  }
}
