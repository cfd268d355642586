import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ: 100 on Linux). */
const TICKS_PER_S = 100;

export type ProcessKind = 'collector' | 'projector' | 'database' | 'broker' | 'simulator';

interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
  /** utime + stime, and the waited-for children's cutime + cstime, in seconds. */
  self: number;
  children: number;
}

function readStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may hold spaces and parentheses: the fields after it start at the last ')'
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const fields = text.slice(close + 2).split(' ');
    const n = (i: number) => Number(fields[i - 3]); // field numbers of proc(5), from 3 (state)
    return {
      pid,
      ppid: n(4),
      comm,
      self: (n(14) + n(15)) / TICKS_PER_S,
      children: (n(16) + n(17)) / TICKS_PER_S,
    };
  } catch {
    return null; // gone
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/**
 * CPU seconds so far of each kind of process on this machine, from /proc:
 * the collectors and projector by their pids (and their descendants), the
 * database (FerretDB and PostgreSQL: the postmaster's reaped backends count
 * through its children's times), the broker (the Kafka JVM) and the
 * simulator, which runs inside this bench process (so its figure also holds
 * the bench's own polling: an upper bound).
 */
export function cpuByKind(pids: {
  collector: number[];
  projector: number[];
}): Record<ProcessKind, number> {
  const stats = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readStat(Number(name)))
    .filter((s): s is ProcStat => s !== null);
  const byPid = new Map(stats.map((s) => [s.pid, s]));
  const under = (root: number) => {
    const out = new Set<number>([root]);
    for (let grew = true; grew;) {
      grew = false;
      for (const s of stats)
        if (!out.has(s.pid) && out.has(s.ppid)) {
          out.add(s.pid);
          grew = true;
        }
    }
    return [...out];
  };
  const sum = (list: number[]) =>
    list.reduce(
      (total, pid) => total + (byPid.get(pid)?.self ?? 0) + (byPid.get(pid)?.children ?? 0),
      0,
    );
  const database = stats.filter((s) => s.comm.startsWith('ferretdb') || s.comm === 'postgres');
  // the postmaster's children time already holds its exited backends; live backends add their own
  const databaseS = database.reduce(
    (total, s) =>
      total +
      s.self +
      (s.comm === 'postgres' && !database.some((d) => d.pid === s.ppid) ? s.children : 0),
    0,
  );
  const broker = stats.filter((s) => s.comm === 'java' && cmdline(s.pid).includes('kafka.Kafka'));
  const usage = process.cpuUsage();
  return {
    collector: sum(pids.collector.flatMap(under)),
    projector: sum(pids.projector.flatMap(under)),
    database: databaseS,
    broker: broker.reduce((total, s) => total + s.self, 0),
    simulator: (usage.user + usage.system) / 1e6,
  };
}

/** after − before, per org sync, rounded to milliseconds. */
export function cpuPerOrgSync(
  before: Record<ProcessKind, number>,
  after: Record<ProcessKind, number>,
  orgSyncs: number,
): Record<ProcessKind, number> {
  return Object.fromEntries(
    (Object.keys(after) as ProcessKind[]).map((kind) => [
      kind,
      Math.round(((after[kind] - before[kind]) / orgSyncs) * 1000) / 1000,
    ]),
  ) as Record<ProcessKind, number>;
}
