import { IdentityEvent, OktaUser } from '@regentra/contracts';
import type { DirectoryChange } from './directory-changes';
import type { OktaAppDocument, OktaAppProfile } from './okta-app.document';
import type { OktaGroupDocument, OktaGroupProfile } from './okta-group.document';
import type {
  OktaUserDocument,
  OktaUserProfile,
  UserFactors,
  UserRole,
  UserRoles,
} from './okta-user.document';

/**
 * What a sync's pages leave in its staging collection until the sync completes: one
 * record per entity (or per part of a paged sub-list), keyed so a redelivered
 * page overwrites itself. Only the fields the read models need are kept;
 * the raw objects stay on the topic for re-projection. The kept fields are
 * typed by the read-model documents they end up in.
 */
export type StagedRecord =
  | { kind: 'user'; entityId: string; data: OktaUserProfile }
  | {
      /** A user Okta deleted (hard delete), named by an incremental sync's UsersDeleted. */
      kind: 'userDeleted';
      entityId: string;
      data: { id: string };
    }
  | {
      /** A read-model document the completing sync marks removed (written by the materializer). */
      kind: 'sweep';
      entityId: string;
      data: { collection: string; doc: { _id: string } & Record<string, unknown> };
    }
  /**
   * The read-model documents an incremental sync is applied to, staged before
   * its first write (by the materializer), and the mark that all of them were.
   */
  | { kind: 'baseUser'; entityId: string; data: OktaUserDocument }
  | { kind: 'baseGroup'; entityId: string; data: OktaGroupDocument }
  | { kind: 'baseApp'; entityId: string; data: OktaAppDocument }
  | {
      kind: 'baseComplete';
      entityId: string;
      data: { users: number; groups: number; apps: number };
    }
  /**
   * The changes of the sync (for `okta.changes.v1`), staged before its first
   * write, and the mark that all of them were: a completion repeated after a
   * crash publishes these, never a diff against half-written collections.
   */
  | { kind: 'changes'; entityId: string; data: { changes: DirectoryChange[] } }
  | { kind: 'changesComplete'; entityId: string; data: { count: number } }
  | {
      kind: 'factors';
      entityId: string;
      data: UserFactors;
    }
  | {
      kind: 'roles';
      entityId: string;
      data: Exclude<UserRoles, { status: 'none' }>;
    }
  | { kind: 'group'; entityId: string; data: OktaGroupProfile }
  | {
      kind: 'groupMembers';
      entityId: string;
      part: number;
      data: {
        status: 'read' | 'unknown';
        lastPart: boolean;
        memberIds: string[];
        reason: string | null;
      };
    }
  | {
      kind: 'groupRoles';
      entityId: string;
      data: { status: 'read' | 'unknown'; roles: UserRole[]; reason: string | null };
    }
  | {
      kind: 'app';
      entityId: string;
      data: OktaAppProfile;
    }
  | {
      kind: 'appUsers';
      entityId: string;
      part: number;
      data: {
        status: 'read' | 'unknown';
        lastPart: boolean;
        assignments: Array<{ userId: string; scope: string | null; status: string | null }>;
        reason: string | null;
      };
    }
  | {
      kind: 'appGroups';
      entityId: string;
      part: number;
      data: {
        status: 'read' | 'unknown';
        lastPart: boolean;
        groupIds: string[];
        reason: string | null;
      };
    };

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

export function stagedUser(user: OktaUser): OktaUserProfile {
  return {
    id: user.id,
    login: str(user.profile?.login),
    email: str(user.profile?.email),
    status: user.status,
    created: str(user.created),
    activated: str(user.activated),
    statusChanged: str(user.statusChanged),
    lastLogin: str(user.lastLogin),
    lastUpdated: str(user.lastUpdated),
  };
}

const role = (r: {
  type: string;
  label?: string | null;
  assignmentType?: string | null;
}): UserRole => ({
  type: r.type,
  label: r.label ?? null,
  assignmentType: r.assignmentType ?? null,
});

/** Pure: the staged records an identity page implies (empty for bracket events). */
export function stagedRecordsOf(event: IdentityEvent): StagedRecord[] {
  switch (event.type) {
    case 'UsersPage':
      return event.payload.users.map((user) => ({
        kind: 'user',
        entityId: user.id,
        data: stagedUser(user),
      }));
    case 'UsersDeleted':
      return event.payload.userIds.map((id) => ({
        kind: 'userDeleted',
        entityId: id,
        data: { id },
      }));
    case 'UserFactorsBatch':
      return event.payload.users.map((u) => ({
        kind: 'factors',
        entityId: u.userId,
        data:
          u.status === 'read'
            ? {
                status: 'read',
                items: u.items.map((f) => ({
                  id: f.id,
                  factorType: f.factorType,
                  status: f.status,
                  provider: f.provider ?? null,
                })),
              }
            : { status: 'unknown', reason: u.reason },
      }));
    case 'UserRolesBatch':
      return event.payload.users.map((u) => ({
        kind: 'roles',
        entityId: u.userId,
        data:
          u.status === 'read'
            ? { status: 'read', items: u.items.map(role) }
            : { status: 'unknown', reason: u.reason },
      }));
    case 'GroupsPage':
      return event.payload.groups.map((g) => ({
        kind: 'group',
        entityId: g.id,
        data: { id: g.id, name: str(g.profile?.name), type: g.type },
      }));
    case 'GroupMembers':
      return [
        {
          kind: 'groupMembers',
          entityId: event.payload.groupId,
          part: event.payload.part,
          data: {
            status: event.payload.status,
            lastPart: event.payload.lastPart,
            memberIds: event.payload.memberIds,
            reason: event.payload.reason ?? null,
          },
        },
      ];
    case 'GroupRoles':
      return [
        {
          kind: 'groupRoles',
          entityId: event.payload.groupId,
          data: {
            status: event.payload.status,
            roles: event.payload.roles.map(role),
            reason: event.payload.reason ?? null,
          },
        },
      ];
    case 'AppsPage':
      return event.payload.apps.map((a) => ({
        kind: 'app',
        entityId: a.id,
        data: { id: a.id, label: str(a.label), name: str(a.name), status: a.status },
      }));
    case 'AppUserAssignments':
      return [
        {
          kind: 'appUsers',
          entityId: event.payload.appId,
          part: event.payload.part,
          data: {
            status: event.payload.status,
            lastPart: event.payload.lastPart,
            assignments: event.payload.assignments.map((a) => ({
              userId: a.id,
              scope: a.scope ?? null,
              status: a.status ?? null,
            })),
            reason: event.payload.reason ?? null,
          },
        },
      ];
    case 'AppGroupAssignments':
      return [
        {
          kind: 'appGroups',
          entityId: event.payload.appId,
          part: event.payload.part,
          data: {
            status: event.payload.status,
            lastPart: event.payload.lastPart,
            groupIds: event.payload.assignments.map((a) => a.id),
            reason: event.payload.reason ?? null,
          },
        },
      ];
    default:
      return [];
  }
}
