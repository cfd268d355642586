import { startOktaFleet } from './fleet';

describe('fleet of simulated orgs in one process', () => {
  it('serves each org its own data, token and rate-limit windows', async () => {
    const fleet = await startOktaFleet({
      orgs: 3,
      users: 20,
      rateLimits: { 'users-list': 4 },
    });
    try {
      const [a, b] = fleet.orgs.map((org) => org.sim);
      if (!a || !b) throw new Error('fleet too small');
      expect(new Set(fleet.hostPorts()).size).toBe(3);
      const list = (sim: typeof a, token = sim.token) =>
        fetch(`${sim.url}/api/v1/users?limit=200`, {
          headers: { authorization: `SSWS ${token}` },
        });
      // one org's token is no good at another
      expect((await list(b, a.token)).status).toBe(401);
      const usersA = (await (await list(a)).json()) as Array<{ id: string }>;
      const usersB = (await (await list(b)).json()) as Array<{ id: string }>;
      expect(usersA.map((u) => u.id)).not.toEqual(usersB.map((u) => u.id));
      expect(a.groundTruth().counts).not.toEqual(undefined);
      // org a spends its window; org b's window is its own
      for (let i = 0; i < 4; i += 1) await list(a);
      const last = await list(a);
      expect(last.status).toBe(429);
      expect((await list(b)).status).toBe(200);
      expect(a.rateWindowPeaks()['users-list']).toBe(6);
      expect(b.rateWindowPeaks()['users-list']).toBe(2); // a refused token is not counted
      const worst = fleet.worstWindow(0.5);
      expect(worst).toMatchObject({ org: 'org-0001', bucket: 'users-list', calls: 6, allowed: 2 });
      expect(worst?.ratio).toBe(3);
    } finally {
      await fleet.close();
    }
  });
});
