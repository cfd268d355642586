import { spawn } from 'node:child_process';
import { cpuByKind, cpuPerOrgSync } from './proc-cpu';

describe('CPU seconds per process kind from /proc', () => {
  it('counts a child that burns CPU under its kind, and divides per org sync', async () => {
    const child = spawn(process.execPath, [
      '-e',
      'const end = Date.now() + 600; while (Date.now() < end);',
    ]);
    const pids = { collector: [child.pid ?? -1], projector: [] };
    const before = cpuByKind(pids);
    // sample just before it exits: its own times, not yet folded into ours
    await new Promise((done) => setTimeout(done, 500));
    const after = cpuByKind(pids);
    await new Promise((done) => child.once('exit', done));
    expect(after.collector - before.collector).toBeGreaterThan(0.2);
    expect(after.projector).toBe(0);
    const per = cpuPerOrgSync(before, after, 2);
    expect(per.collector).toBeCloseTo((after.collector - before.collector) / 2, 2);
  });
});
