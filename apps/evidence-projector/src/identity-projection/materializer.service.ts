import { Inject, Injectable } from '@nestjs/common';
import { Collection, Db, Document } from 'mongodb';
import { PROJECTOR_DB, replaceByIdChunked } from '../platform/mongo.providers';
import { AssembledApp, AssembledGroup, AssembledUser, Memberships, Parts } from './org-assembly';
import { StagingRepository } from './staging.repository';

export interface Materialized {
  users: AssembledUser[];
  groups: AssembledGroup[];
  apps: AssembledApp[];
}

const WRITE_BATCH = 500;

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
    const memberships = new Memberships();
    const groups = await this.assembleGroups(orgId, syncId, memberships);
    const apps = await this.assembleApps(orgId, syncId, memberships);
    const roles = new Map<string, AssembledUser['roles']>();
    for await (const doc of this.staging.find(orgId, syncId, 'roles'))
      roles.set(doc.entityId, doc.data);
    const groupRoles = new Map(groups.filter((g) => g.roles.length).map((g) => [g.id, g.roles]));

    const users: AssembledUser[] = [];
    let batch: AssembledUser[] = [];
    const flush = async () => {
      if (!batch.length) return;
      await this.writeUsers(orgId, syncId, batch);
      users.push(...batch);
      batch = [];
      await heartbeat();
    };
    for await (const doc of this.staging.find(orgId, syncId, 'user')) {
      batch.push({
        ...doc.data,
        factors: { status: 'unknown', reason: 'factors not published' },
        groupIds: [],
        appAssignments: [],
        roles: { status: 'none' },
      });
      if (batch.length >= WRITE_BATCH) {
        await this.completeUsers(
          orgId,
          syncId,
          batch,
          memberships,
          roles,
          groupRoles,
          roleHoldersComplete,
        );
        await flush();
      }
    }
    await this.completeUsers(
      orgId,
      syncId,
      batch,
      memberships,
      roles,
      groupRoles,
      roleHoldersComplete,
    );
    await flush();
    await this.writeEntities(this.groups, orgId, syncId, groups);
    await this.writeEntities(this.apps, orgId, syncId, apps);
    for (const collection of [this.users, this.groups, this.apps]) {
      // Sweep: only a completed sync may make anything disappear.
      await collection.updateMany(
        { orgId, lastSeenSyncId: { $ne: syncId }, removed: false },
        { $set: { removed: true, removedAt: completedAt, removedBySyncId: syncId } },
      );
    }
    return { users, groups, apps };
  }

  private async completeUsers(
    orgId: string,
    syncId: string,
    batch: AssembledUser[],
    memberships: Memberships,
    roles: Map<string, AssembledUser['roles']>,
    groupRoles: Map<string, string[]>,
    roleHoldersComplete: boolean,
  ): Promise<void> {
    if (!batch.length) return;
    const factors = await this.staging.findMany(
      orgId,
      syncId,
      'factors',
      batch.map((u) => u.id),
    );
    const factorsOf = new Map(factors.map((f) => [f.entityId, f.data]));
    for (const user of batch) {
      user.factors = factorsOf.get(user.id) ?? {
        status: 'unknown',
        reason: 'factors not published',
      };
      user.groupIds = [...new Set(memberships.groupsOfUser.get(user.id) ?? [])].sort();
      user.appAssignments = (memberships.appsOfUser.get(user.id) ?? []).sort(
        (a, b) => a.appId.localeCompare(b.appId) || a.scope.localeCompare(b.scope),
      );
      const direct = roles.get(user.id);
      const inherited = user.groupIds.flatMap((g) =>
        (groupRoles.get(g) ?? []).map((type) => ({ type, label: null, assignmentType: 'GROUP' })),
      );
      if (direct?.status === 'unknown') user.roles = direct;
      else if (direct?.status === 'read' || inherited.length) {
        const items = [...(direct?.status === 'read' ? direct.items : []), ...inherited];
        const unique = new Map(items.map((r) => [`${r.type}|${r.assignmentType ?? ''}`, r]));
        user.roles = {
          status: 'read',
          items: [...unique.values()].sort((a, b) => a.type.localeCompare(b.type)),
        };
      } else
        user.roles = roleHoldersComplete
          ? { status: 'none' }
          : { status: 'unknown', reason: 'role holders could not be listed' };
    }
  }

  private async assembleGroups(
    orgId: string,
    syncId: string,
    memberships: Memberships,
  ): Promise<AssembledGroup[]> {
    const members = new Parts<string>();
    for await (const doc of this.staging.find(orgId, syncId, 'groupMembers')) {
      members.add(
        doc.entityId,
        doc.part ?? 0,
        doc.data.status,
        doc.data.lastPart,
        doc.data.memberIds,
      );
    }
    const roles = new Map<string, { known: boolean; types: string[] }>();
    for await (const doc of this.staging.find(orgId, syncId, 'groupRoles')) {
      roles.set(doc.entityId, {
        known: doc.data.status === 'read',
        types: [...new Set(doc.data.roles.map((r) => r.type))].sort(),
      });
    }
    const groups: AssembledGroup[] = [];
    for await (const doc of this.staging.find(orgId, syncId, 'group')) {
      const list = members.get(doc.entityId);
      if (list) memberships.addGroup(doc.entityId, list);
      const role = roles.get(doc.entityId);
      groups.push({
        ...doc.data,
        memberCount: list ? new Set(list).size : null,
        roles: role?.types ?? [],
        rolesKnown: role ? role.known : true,
      });
    }
    return groups.sort((a, b) => a.id.localeCompare(b.id));
  }

  private async assembleApps(
    orgId: string,
    syncId: string,
    memberships: Memberships,
  ): Promise<AssembledApp[]> {
    const users = new Parts<{ userId: string; scope: string | null; status: string | null }>();
    for await (const doc of this.staging.find(orgId, syncId, 'appUsers')) {
      users.add(
        doc.entityId,
        doc.part ?? 0,
        doc.data.status,
        doc.data.lastPart,
        doc.data.assignments,
      );
    }
    const groupAssignments = new Parts<string>();
    for await (const doc of this.staging.find(orgId, syncId, 'appGroups')) {
      groupAssignments.add(
        doc.entityId,
        doc.part ?? 0,
        doc.data.status,
        doc.data.lastPart,
        doc.data.groupIds,
      );
    }
    const apps: AssembledApp[] = [];
    for await (const doc of this.staging.find(orgId, syncId, 'app')) {
      const assigned = users.get(doc.entityId);
      const groupIds = groupAssignments.get(doc.entityId);
      if (assigned) memberships.addApp(doc.entityId, assigned);
      apps.push({
        ...doc.data,
        userAssignmentCount: assigned ? new Set(assigned.map((a) => a.userId)).size : null,
        groupIds: [...(groupIds ?? [])].sort(),
        assignmentsKnown: !!assigned && !!groupIds,
      });
    }
    return apps.sort((a, b) => a.id.localeCompare(b.id));
  }

  private async writeUsers(orgId: string, syncId: string, users: AssembledUser[]): Promise<void> {
    const docs = users.map((u) => ({
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
    }));
    await replaceByIdChunked(this.users as unknown as Collection<Document & { _id: string }>, docs);
  }

  private async writeEntities(
    collection: Collection<Document>,
    orgId: string,
    syncId: string,
    items: Array<{ id: string }>,
  ): Promise<void> {
    const docs = items.map((item) => ({
      _id: `${orgId}|${item.id}`,
      orgId,
      ...item,
      lastSeenSyncId: syncId,
      removed: false,
      removedAt: null,
      removedBySyncId: null,
    }));
    await replaceByIdChunked(collection as unknown as Collection<Document & { _id: string }>, docs);
  }
}
