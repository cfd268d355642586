import type { OktaUser } from '@regentra/contracts';
import type { DirectoryChange } from './directory-changes';
import type { OktaAppDocument, OktaAppProfile } from './okta-app.document';
import type { OktaGroupDocument, OktaGroupProfile } from './okta-group.document';
import type { OktaUserDocument, OktaUserProfile, UserRole } from './okta-user.document';
import type { UserDatasetRecord } from './user-datasets';

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
  /** A user's value of a per-user dataset (kind: its key in USER_DATASETS, `factors`, `roles`). */
  | UserDatasetRecord
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
