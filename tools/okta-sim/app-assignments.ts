import { SimApp, SimOrg } from './model';
import { AppAssignment } from './okta-json';

/**
 * What `/apps/{id}/users` lists: direct assignments (scope USER) plus every
 * member of an assigned group (scope GROUP, from the highest-priority group),
 * sorted by user id. Rebuilt per app when the org changes.
 */
export class AppAssignmentIndex {
  private readonly cache = new Map<
    string,
    { version: number; list: AppAssignment[]; byUser: Map<string, AppAssignment> }
  >();

  constructor(private readonly org: SimOrg) {}

  private build(app: SimApp): { list: AppAssignment[]; byUser: Map<string, AppAssignment> } {
    const byUser = new Map<string, AppAssignment>();
    for (const [userId, created] of app.directUsers)
      byUser.set(userId, { userId, scope: 'USER', groupId: null, created });
    const groups = [...app.groups].sort((a, b) => a.priority - b.priority);
    for (const assignment of groups) {
      const group = this.org.group(assignment.groupId);
      if (!group) continue;
      for (const userId of group.memberIds) {
        if (byUser.has(userId)) continue;
        const user = this.org.user(userId);
        const created =
          user && user.created > assignment.created ? user.created : assignment.created;
        byUser.set(userId, { userId, scope: 'GROUP', groupId: group.id, created });
      }
    }
    const list = [...byUser.values()].sort((a, b) =>
      a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0,
    );
    return { list, byUser };
  }

  private entry(app: SimApp): { list: AppAssignment[]; byUser: Map<string, AppAssignment> } {
    const cached = this.cache.get(app.id);
    if (cached && cached.version === this.org.version) return cached;
    const fresh = { version: this.org.version, ...this.build(app) };
    this.cache.set(app.id, fresh);
    return fresh;
  }

  forApp(app: SimApp): AppAssignment[] {
    return this.entry(app).list;
  }

  assignment(app: SimApp, userId: string): AppAssignment | undefined {
    return this.entry(app).byUser.get(userId);
  }
}
