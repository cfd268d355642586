import { Inject, Injectable } from '@nestjs/common';
import { Collection, Db, Document } from 'mongodb';
import { PROJECTOR_METRICS, ProjectorMetrics, timePhase } from '../platform/metrics';
import { insertIgnoringDuplicates, PROJECTOR_DB } from '../platform/mongo.providers';
import { AssembledApp, AssembledGroup, AssembledUser, Memberships, Parts } from './org-assembly';
import { StagedUser } from './staged-records';
import { StagingRepository } from './staging.repository';

/** The read-model documents a completed sync wrote (what the evidence is computed from). */
export interface Materialized {
  users: Document[];
  groups: Document[];
  apps: Document[];
}

/**
 * Turns one completed sync's staged pages into the ★ read models
 * (`okta_users`, `okta_groups`, `okta_apps`) and sweeps what that sync did not
 * see (marked removed, with when). Deterministic: every timestamp comes from
 * the events, so a replay writes identical documents.
 */
@Injectable()
export class MaterializerService {
  readonly users: Collection<Document>;
  readonly groups: Collection<Document>;
  readonly apps: Collection<Document>;

  constructor(
    @Inject(PROJECTOR_DB) db: Db,
    private readonly staging: StagingRepository,
    @Inject(PROJECTOR_METRICS) private readonly metrics: ProjectorMetrics,
  ) {
    this.users = db.collection('okta_users');
    this.groups = db.collection('okta_groups');
    this.apps = db.collection('okta_apps');
  }

  async ensureIndexes(): Promise<void> {
    for (const collection of [this.users, this.groups, this.apps]) {
      await collection.createIndex({ orgId: 1, removed: 1 });
      await collection.createIndex({ orgId: 1, lastSeenSyncId: 1 });
    }
    await this.users.createIndex({ orgId: 1, status: 1 });
  }

  async materialize(
    orgId: string,
    syncId: string,
    completedAt: string,
    roleHoldersComplete: boolean,
    heartbeat: () => Promise<void>,
  ): Promise<Materialized> {
    const staged = await timePhase(this.metrics, 'assemble', () => this.readStaged(orgId, syncId));
    await heartbeat();
    const memberships = new Memberships();
    const groups = this.assembleGroups(staged, memberships);
    const apps = this.assembleApps(staged, memberships);
    const groupRoles = new Map(groups.filter((g) => g.roles.length).map((g) => [g.id, g.roles]));
    const users = [...staged.users.values()].map((data) =>
      this.assembleUser(data, staged, memberships, groupRoles, roleHoldersComplete),
    );
    const sweep = { orgId, syncId, completedAt, staged: staged.sweep, heartbeat };
    const written = {
      users: users.map((u) => userDoc(orgId, syncId, u)),
      groups: groups.map((g) => entityDoc(orgId, syncId, g)),
      apps: apps.map((a) => entityDoc(orgId, syncId, a)),
    };
    await timePhase(this.metrics, 'write_users', () =>
      this.writeGeneration(this.users, sweep, written.users),
    );
    await timePhase(this.metrics, 'write_groups_apps', async () => {
      await this.writeGeneration(this.groups, sweep, written.groups);
      await this.writeGeneration(this.apps, sweep, written.apps);
    });
    return written as Materialized;
  }

  /** One pass over the sync's staged records (FerretDB scans the collection per query). */
  private async readStaged(orgId: string, syncId: string): Promise<StagedSync> {
    const staged: StagedSync = {
      users: new Map(),
      factors: new Map(),
      roles: new Map(),
      groups: new Map(),
      groupMembers: new Parts(),
      groupRoles: new Map(),
      apps: new Map(),
      appUsers: new Parts(),
      appGroups: new Parts(),
      sweep: new Map(),
    };
    for await (const doc of this.staging.findAll(orgId, syncId)) {
      switch (doc.kind) {
        case 'user':
          staged.users.set(doc.data.id, doc.data);
          break;
        case 'factors':
          staged.factors.set(doc.entityId, doc.data);
          break;
        case 'roles':
          staged.roles.set(doc.entityId, doc.data);
          break;
        case 'group':
          staged.groups.set(doc.data.id, doc.data);
          break;
        case 'groupMembers': {
          const { status, lastPart, memberIds } = doc.data;
          staged.groupMembers.add(doc.entityId, doc.part ?? 0, status, lastPart, memberIds);
          break;
        }
        case 'groupRoles':
          staged.groupRoles.set(doc.entityId, {
            known: doc.data.status === 'read',
            types: [...new Set(doc.data.roles.map((r) => r.type))].sort(),
          });
          break;
        case 'app':
          staged.apps.set(doc.data.id, doc.data);
          break;
        case 'appUsers': {
          const { status, lastPart, assignments } = doc.data;
          staged.appUsers.add(doc.entityId, doc.part ?? 0, status, lastPart, assignments);
          break;
        }
        case 'appGroups': {
          const { status, lastPart, groupIds } = doc.data;
          staged.appGroups.add(doc.entityId, doc.part ?? 0, status, lastPart, groupIds);
          break;
        }
        case 'sweep':
          staged.sweep.set(doc.entityId, doc.data);
          break;
      }
    }
    return staged;
  }

  private assembleUser(
    data: StagedUser,
    staged: StagedSync,
    memberships: Memberships,
    groupRoles: Map<string, string[]>,
    roleHoldersComplete: boolean,
  ): AssembledUser {
    const groupIds = [...new Set(memberships.groupsOfUser.get(data.id) ?? [])].sort();
    const appAssignments = (memberships.appsOfUser.get(data.id) ?? []).sort(
      (a, b) => a.appId.localeCompare(b.appId) || a.scope.localeCompare(b.scope),
    );
    const direct = staged.roles.get(data.id);
    const inherited = groupIds.flatMap((g) =>
      (groupRoles.get(g) ?? []).map((type) => ({ type, label: null, assignmentType: 'GROUP' })),
    );
    let roles: AssembledUser['roles'];
    if (direct?.status === 'unknown') roles = direct;
    else if (direct?.status === 'read' || inherited.length) {
      const items = [...(direct?.status === 'read' ? direct.items : []), ...inherited];
      const unique = new Map(items.map((r) => [`${r.type}|${r.assignmentType ?? ''}`, r]));
      roles = {
        status: 'read',
        items: [...unique.values()].sort((a, b) => a.type.localeCompare(b.type)),
      };
    } else
      roles = roleHoldersComplete
        ? { status: 'none' }
        : { status: 'unknown', reason: 'role holders could not be listed' };
    return {
      ...data,
      factors: staged.factors.get(data.id) ?? {
        status: 'unknown',
        reason: 'factors not published',
      },
      groupIds,
      appAssignments,
      roles,
    };
  }

  private assembleGroups(staged: StagedSync, memberships: Memberships): AssembledGroup[] {
    const groups = [...staged.groups.values()].map((group): AssembledGroup => {
      const list = staged.groupMembers.get(group.id);
      if (list) memberships.addGroup(group.id, list);
      const role = staged.groupRoles.get(group.id);
      return {
        ...group,
        memberCount: list ? new Set(list).size : null,
        roles: role?.types ?? [],
        rolesKnown: role ? role.known : true,
      };
    });
    return groups.sort((a, b) => a.id.localeCompare(b.id));
  }

  private assembleApps(staged: StagedSync, memberships: Memberships): AssembledApp[] {
    const apps = [...staged.apps.values()].map((app): AssembledApp => {
      const assigned = staged.appUsers.get(app.id);
      const groupIds = staged.appGroups.get(app.id);
      if (assigned) memberships.addApp(app.id, assigned);
      return {
        ...app,
        userAssignmentCount: assigned ? new Set(assigned.map((a) => a.userId)).size : null,
        groupIds: [...(groupIds ?? [])].sort(),
        assignmentsKnown: !!assigned && !!groupIds,
      };
    });
    return apps.sort((a, b) => a.id.localeCompare(b.id));
  }

  /**
   * Makes `docs` the org's current documents in `collection`, and marks
   * removed (the sweep) every current document the sync did not see. Written
   * with deletes and inserts only: on FerretDB 1.24 every updated document
   * costs a scan (measured: updateMany of 1,000 of 10,000 documents, 65 s),
   * while deleting by id and inserting are cheap. Crash-safe: the removed
   * versions are staged before their old documents are deleted, and a
   * redelivered completion writes the same documents again.
   */
  private async writeGeneration(
    collection: Collection<Document>,
    sweep: {
      orgId: string;
      syncId: string;
      completedAt: string;
      staged: Map<string, { collection: string; doc: { _id: string } & Document }>;
      heartbeat: () => Promise<void>;
    },
    docs: Array<{ _id: string } & Document>,
  ): Promise<void> {
    const { orgId, syncId, completedAt } = sweep;
    const existing = await collection
      .find({ orgId }, { projection: { _id: 1, removed: 1 } })
      .toArray();
    const seen = new Set(docs.map((d) => d._id));
    const present = new Set(existing.map((e) => String(e._id)));
    const unseenIds = existing
      .filter((e) => e.removed === false && !seen.has(String(e._id)))
      .map((e) => String(e._id));
    const removedVersions: Array<{ _id: string } & Document> = [];
    for (const record of sweep.staged.values())
      if (record.collection === collection.collectionName && !seen.has(record.doc._id)) {
        removedVersions.push(record.doc);
        present.add(record.doc._id); // may or may not still exist: delete-then-insert covers both
      }
    const alreadyStaged = new Set(removedVersions.map((d) => d._id));
    const toFetch = unseenIds.filter((id) => !alreadyStaged.has(id));
    for (let i = 0; i < toFetch.length; i += DELETE_CHUNK) {
      const old = await collection
        .find({ _id: { $in: toFetch.slice(i, i + DELETE_CHUNK) } } as Document)
        .toArray();
      const marked = old.map((d) => ({
        ...d,
        _id: String(d._id),
        removed: true,
        removedAt: completedAt,
        removedBySyncId: syncId,
      }));
      await this.staging.stageSweep(orgId, syncId, collection.collectionName, marked);
      removedVersions.push(...marked);
    }
    // Sorted the way the server compares strings (bytes), so each chunk is an id range.
    const replace = [...docs.filter((d) => present.has(d._id)), ...removedVersions].sort((a, b) =>
      Buffer.compare(Buffer.from(a._id), Buffer.from(b._id)),
    );
    const fresh = docs.filter((d) => !present.has(d._id));
    const active = new Set(existing.filter((e) => e.removed === false).map((e) => String(e._id)));
    const typed = collection as unknown as Collection<Document & { _id: string }>;
    for (let i = 0; i < replace.length; i += DELETE_CHUNK) {
      const part = replace.slice(i, i + DELETE_CHUNK);
      // Every active document of the org is in `replace` (seen, or swept above), so the
      // active ones in this chunk's id range are exactly this chunk's: a range delete is
      // exact and, on FerretDB, far cheaper than a long $in. Inactive ones go by id.
      await typed.deleteMany({
        orgId,
        removed: false,
        _id: { $gte: part[0]!._id, $lte: part[part.length - 1]!._id },
      });
      const inactive = part.filter((d) => !active.has(d._id)).map((d) => d._id);
      if (inactive.length) await typed.deleteMany({ _id: { $in: inactive } });
      await insertIgnoringDuplicates(typed, part);
      await sweep.heartbeat();
    }
    await insertIgnoringDuplicates(typed, fresh);
  }
}

/** Documents per delete: FerretDB pays one collection scan per delete command. */
const DELETE_CHUNK = 5_000;

interface StagedSync {
  /** By id: an entity on two pages (Okta paging while it changes) counts once, the later page wins. */
  users: Map<string, StagedUser>;
  factors: Map<string, AssembledUser['factors']>;
  roles: Map<string, Exclude<AssembledUser['roles'], { status: 'none' }>>;
  groups: Map<string, { id: string; name: string | null; type: string }>;
  groupMembers: Parts<string>;
  groupRoles: Map<string, { known: boolean; types: string[] }>;
  apps: Map<string, { id: string; label: string | null; name: string | null; status: string }>;
  appUsers: Parts<{ userId: string; scope: string | null; status: string | null }>;
  appGroups: Parts<string>;
  sweep: Map<string, { collection: string; doc: { _id: string } & Document }>;
}

function userDoc(orgId: string, syncId: string, u: AssembledUser): { _id: string } & Document {
  return {
    _id: `${orgId}|${u.id}`,
    orgId,
    id: u.id,
    login: u.login,
    email: u.email,
    status: u.status,
    created: u.created,
    activated: u.activated,
    statusChanged: u.statusChanged,
    lastLogin: u.lastLogin,
    lastUpdated: u.lastUpdated,
    deactivatedAt: u.status === 'DEPROVISIONED' ? u.statusChanged : null,
    factors: u.factors,
    activeFactorTypes:
      u.factors.status === 'read'
        ? [
            ...new Set(
              u.factors.items.filter((f) => f.status === 'ACTIVE').map((f) => f.factorType),
            ),
          ].sort()
        : null,
    groupIds: u.groupIds,
    appIds: [...new Set(u.appAssignments.map((a) => a.appId))].sort(),
    appAssignments: u.appAssignments,
    adminRoles: u.roles,
    lastSeenSyncId: syncId,
    removed: false,
    removedAt: null,
    removedBySyncId: null,
  };
}

function entityDoc(
  orgId: string,
  syncId: string,
  item: { id: string },
): { _id: string } & Document {
  return {
    _id: `${orgId}|${item.id}`,
    orgId,
    ...item,
    lastSeenSyncId: syncId,
    removed: false,
    removedAt: null,
    removedBySyncId: null,
  };
}
