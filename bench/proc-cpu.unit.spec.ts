import { spawn } from 'node:child_process';
import { cpuByKind, cpuPerOrgSync } from './proc-cpu';

describe('CPU seconds per process kind from /proc', () => {
  it('counts a child that burns CPU under its kind, and divides per org sync', async () => {
    // Burns CPU time, not wall time (on a loaded machine 600 ms of wall clock may be far less
    // CPU), says so, and stays alive until killed so /proc still holds its own times.
    const child = spawn(process.execPath, [
      '-e',
      "while (process.cpuUsage().user < 400000); process.stdout.write('burned\\n'); setInterval(() => {}, 1000);",
    ]);
    const pids = { collector: [child.pid ?? -1], projector: [] };
    const before = cpuByKind(pids);
    await new Promise<void>((done) => child.stdout.on('data', () => done()));
    const after = cpuByKind(pids);
    child.kill();
    await new Promise((done) => child.once('exit', done));
    expect(after.collector - before.collector).toBeGreaterThan(0.2);
    expect(after.projector).toBe(0);
    const per = cpuPerOrgSync(before, after, 2);
    expect(per.collector).toBeCloseTo((after.collector - before.collector) / 2, 2);
  });
});
