import { startOktaSim, OktaSim } from './index';
import { crawl, Fetched, headerLines, oktaGet, parseLinks, rawGet } from './sim-test-helpers';

interface AssigneesPage {
  value: Array<{ id: string; orn: string }>;
  _links: { next?: { href: string } };
}

interface User {
  id: string;
  status: string;
  profile: { login: string };
}

describe('okta-sim lists and paging', () => {
  let sim: OktaSim;
  beforeAll(async () => {
    sim = await startOktaSim({ seed: 5, users: 450 });
  });
  afterAll(() => sim.close());

  it('omits DEPROVISIONED users from the default list and returns them with the status filter', async () => {
    const truth = sim.groundTruth();
    const listed = await crawl<User>(sim, '/api/v1/users');
    expect(listed.items).toHaveLength(truth.counts.listedByDefault);
    expect(listed.items.some((u) => u.status === 'DEPROVISIONED')).toBe(false);
    const filter = encodeURIComponent('status eq "DEPROVISIONED"');
    const gone = await crawl<User>(sim, `/api/v1/users?filter=${filter}`);
    expect(gone.items.length).toBe(truth.counts.usersByStatus.DEPROVISIONED);
    expect(gone.items.every((u) => u.status === 'DEPROVISIONED')).toBe(true);
    const both = encodeURIComponent('status eq "SUSPENDED" or status eq "LOCKED_OUT"');
    const either = await crawl<User>(sim, `/api/v1/users?filter=${both}`);
    expect(either.items.length).toBe(
      (truth.counts.usersByStatus.SUSPENDED ?? 0) + (truth.counts.usersByStatus.LOCKED_OUT ?? 0),
    );
    const merged = new Set([...listed.items, ...gone.items].map((u) => u.id));
    expect(merged.size).toBe(truth.users.length);
  });

  it('pages with Link headers across several pages, without duplicates, and ends without next', async () => {
    const { items, pages } = await crawl<User>(sim, '/api/v1/users?limit=37');
    expect(pages).toBe(Math.ceil(sim.groundTruth().counts.listedByDefault / 37));
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(new Set(items.map((u) => u.id)).size).toBe(items.length);
    const first = await oktaGet<User[]>(sim, '/api/v1/users?limit=37');
    expect(first.links.self).toBe(`${sim.url}/api/v1/users?limit=37`);
    expect(first.links.next).toMatch(
      new RegExp(`^${sim.url}/api/v1/users\\?after=[A-Za-z0-9_-]+&limit=37$`),
    );
  });

  it('sends Link as two header lines and as one comma-joined line (mixed style)', async () => {
    const forms = new Set<number>();
    for (let i = 0; i < 2; i++) {
      const raw = await rawGet(sim, '/api/v1/users?limit=5');
      const lines = headerLines(raw.rawHeaders, 'link');
      forms.add(lines.length);
      const links = parseLinks(lines.join(', '));
      expect(Object.keys(links).sort()).toEqual(['next', 'self']);
      if (lines.length === 1) expect(lines[0]).toMatch(/rel="self", <.*>; rel="next"$/);
    }
    expect([...forms].sort()).toEqual([1, 2]);
  });

  it('honours the linkHeaderStyle fault switch', async () => {
    sim.faults.linkHeaderStyle = 'separate';
    try {
      for (let i = 0; i < 3; i++) {
        const raw = await rawGet(sim, '/api/v1/groups?limit=2');
        expect(headerLines(raw.rawHeaders, 'link')).toHaveLength(2);
      }
    } finally {
      sim.faults.linkHeaderStyle = 'mixed';
    }
  });

  it('clamps limits above the cap', async () => {
    const users = await oktaGet<User[]>(sim, '/api/v1/users?limit=5000');
    expect(users.body).toHaveLength(200);
    expect(users.links.next).toContain('limit=200');
    const apps = await oktaGet<unknown[]>(sim, '/api/v1/apps?limit=900');
    expect(apps.status).toBe(200);
    expect(apps.links.next ?? '').not.toContain('limit=900');
    const everyone = sim.org.everyone();
    const members = await oktaGet<unknown[]>(sim, `/api/v1/groups/${everyone.id}/users?limit=5000`);
    expect(members.body).toHaveLength(450);
    expect(members.links.next).toBeUndefined();
  });

  it.each([
    ['/api/v1/users?limit=0', 'limit'],
    ['/api/v1/users?limit=abc', 'limit'],
    ['/api/v1/users?after=%25%25%25', 'after'],
    ['/api/v1/users?after=bm90LWEtY3Vyc29y', 'after'],
    [`/api/v1/users?filter=${encodeURIComponent('nickName eq "x"')}`, 'filter'],
    [`/api/v1/users?filter=${encodeURIComponent('status eq')}`, 'filter'],
    [`/api/v1/users?filter=${encodeURIComponent('status gt "A"')}`, 'filter'],
    [
      `/api/v1/users?filter=${encodeURIComponent('status eq "A"')}&search=${encodeURIComponent('status eq "A"')}`,
      'search',
    ],
    [`/api/v1/groups?filter=${encodeURIComponent('name eq "x"')}`, 'filter'],
  ])('answers 400 E0000031 to %s', async (path, cause) => {
    const { status, body } = await oktaGet<{
      errorCode: string;
      errorCauses: Array<{ errorSummary: string }>;
    }>(sim, path);
    expect(status).toBe(400);
    expect(body.errorCode).toBe('E0000031');
    expect(body.errorCauses[0]?.errorSummary).toContain(cause);
  });

  it('keeps a cursor valid when the data changes under it', async () => {
    const first = await oktaGet<User[]>(sim, '/api/v1/users?limit=10');
    const next = first.links.next as string;
    const second = await oktaGet<User[]>(sim, next);
    const victim = second.body[0] as User;
    sim.deactivateUser(victim.id);
    const again = await oktaGet<User[]>(sim, next);
    expect(again.status).toBe(200);
    expect(again.body.map((u) => u.id)).not.toContain(victim.id);
    expect(again.body[0]?.id).toBe(second.body[1]?.id);
    expect(again.body.every((u) => u.id > (first.body[9]?.id ?? ''))).toBe(true);
  });

  it('finds a user by id or login and answers 404 E0000007 otherwise', async () => {
    const user = sim.org.users[3];
    const byId = await oktaGet<User>(sim, `/api/v1/users/${user?.id}`);
    expect(byId.body.id).toBe(user?.id);
    const byLogin = await oktaGet<User>(
      sim,
      `/api/v1/users/${encodeURIComponent(user?.profile.login ?? '')}`,
    );
    expect(byLogin.body.id).toBe(user?.id);
    const missing = await oktaGet<{ errorCode: string }>(
      sim,
      '/api/v1/users/00uDoesNotExist000000',
    );
    expect(missing.status).toBe(404);
    expect(missing.body.errorCode).toBe('E0000007');
    const unknownPath = await oktaGet<{ errorCode: string }>(sim, '/api/v1/nothing/here');
    expect(unknownPath.status).toBe(404);
    expect(unknownPath.body.errorCode).toBe('E0000007');
  });

  it('lists app users with scopes, 50 by default, and app groups', async () => {
    const app = sim.org.apps.find((a) => a.groups.some((g) => g.groupId === sim.org.everyone().id));
    expect(app).toBeDefined();
    const first = await oktaGet<
      Array<{ id: string; scope: string; credentials: { userName: string } }>
    >(sim, `/api/v1/apps/${app?.id}/users`);
    expect(first.body).toHaveLength(50);
    expect(first.links.next).toContain('limit=50');
    const all = await crawl<{ id: string; scope: string }>(
      sim,
      `/api/v1/apps/${app?.id}/users?limit=500`,
    );
    expect(all.items).toHaveLength(450);
    const direct = new Set(app?.directUsers.keys());
    for (const item of all.items) expect(item.scope).toBe(direct.has(item.id) ? 'USER' : 'GROUP');
    const groups = await oktaGet<Array<{ id: string; priority: number }>>(
      sim,
      `/api/v1/apps/${app?.id}/groups`,
    );
    expect(groups.body.map((g) => g.id)).toContain(sim.org.everyone().id);
  });

  it('adds group stats on expand=stats', async () => {
    const { body } = await oktaGet<
      Array<{ id: string; _embedded?: { stats: { usersCount: number } } }>
    >(sim, '/api/v1/groups?expand=stats');
    for (const group of body) {
      expect(group._embedded?.stats.usersCount).toBe(sim.org.group(group.id)?.memberIds.length);
    }
  });

  it('pages /iam/assignees/users through _links.next.href in the body, without a Link header', async () => {
    const seen: string[] = [];
    let next: string | undefined = '/api/v1/iam/assignees/users?limit=3';
    let pages = 0;
    while (next) {
      const page: Fetched<AssigneesPage> = await oktaGet<AssigneesPage>(sim, next);
      expect(page.headers.get('link')).toBeNull();
      expect(page.body.value.length).toBeLessThanOrEqual(3);
      for (const item of page.body.value) {
        expect(item.orn).toBe(`orn:okta:directory:${sim.org.id}:users:${item.id}`);
        seen.push(item.id);
      }
      next = page.body._links.next?.href;
      pages++;
    }
    const holders = sim.org.users.filter((u) => u.roles.length > 0).map((u) => u.id);
    expect(seen).toEqual(holders);
    expect(pages).toBe(Math.ceil(holders.length / 3));
    expect(pages).toBeGreaterThanOrEqual(3);
    const capped = await oktaGet<{ value: unknown[] }>(
      sim,
      '/api/v1/iam/assignees/users?limit=1000',
    );
    expect(capped.body.value.length).toBe(Math.min(100, holders.length));
  });

  it('lists direct and group-inherited roles of a user', async () => {
    const group = sim.org.roleGroups()[0];
    const member = sim.org.users.find((u) => group?.members.has(u.id));
    const roles = await oktaGet<
      Array<{ type: string; assignmentType: string; label: string; status: string }>
    >(sim, `/api/v1/users/${member?.id}/roles`);
    expect(roles.body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: group?.roles[0]?.type,
          assignmentType: 'GROUP',
          status: 'ACTIVE',
        }),
      ]),
    );
    const groupRoles = await oktaGet<Array<{ assignmentType: string }>>(
      sim,
      `/api/v1/groups/${group?.id}/roles`,
    );
    expect(groupRoles.body).toHaveLength(1);
    expect(groupRoles.body[0]?.assignmentType).toBe('GROUP');
  });
});
