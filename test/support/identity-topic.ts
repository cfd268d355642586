import { IdentityEvent } from '@regentra/contracts';
import { CollectedRecord } from './kafka-helpers';

/** Identity events of one sync, in topic order, from records read off the topic. */
export function eventsOfSync(records: CollectedRecord[], syncId: string): IdentityEvent[] {
  return records
    .map((r) => r.json as IdentityEvent)
    .filter((e) => e && e.syncId === syncId)
    .sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
}

/** What one sync published, reassembled independently of the projector. */
export function reassemble(events: IdentityEvent[]) {
  const users = new Map<string, { status: string }>();
  const factors = new Map<string, { status: string; count: number }>();
  const groups = new Set<string>();
  const members = new Map<string, Set<string>>();
  const apps = new Set<string>();
  const appUsers = new Map<string, Array<{ userId: string; scope: string | null | undefined }>>();
  const roles = new Map<string, string[]>();
  for (const e of events) {
    if (e.type === 'UsersPage')
      for (const u of e.payload.users) users.set(u.id, { status: u.status });
    if (e.type === 'UserFactorsBatch')
      for (const u of e.payload.users)
        factors.set(u.userId, {
          status: u.status,
          count: u.status === 'read' ? u.items.length : -1,
        });
    if (e.type === 'UserRolesBatch')
      for (const u of e.payload.users)
        roles.set(u.userId, u.status === 'read' ? u.items.map((r) => r.type) : []);
    if (e.type === 'GroupsPage') for (const g of e.payload.groups) groups.add(g.id);
    if (e.type === 'GroupMembers') {
      const set = members.get(e.payload.groupId) ?? new Set<string>();
      for (const id of e.payload.memberIds) set.add(id);
      members.set(e.payload.groupId, set);
    }
    if (e.type === 'AppsPage') for (const a of e.payload.apps) apps.add(a.id);
    if (e.type === 'AppUserAssignments') {
      const list = appUsers.get(e.payload.appId) ?? [];
      list.push(...e.payload.assignments.map((a) => ({ userId: a.id, scope: a.scope })));
      appUsers.set(e.payload.appId, list);
    }
  }
  return { users, factors, groups, members, apps, appUsers, roles };
}
