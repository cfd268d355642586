/**
 * Named pauses for the fault suite (`npm run faults`), in the manner of
 * etcd's gofail: `REGENTRA_FAILPOINTS="projector.beforeEvidence=pause:10000"`
 * makes the process announce the point on stderr and sleep there, so the
 * suite can kill -9 it at that exact moment; `name=kill` makes the process
 * SIGKILL itself there. Unset (production) it costs two map lookups.
 */
// A test hook, deliberately outside the typed configuration (not a setting an operator makes).
// eslint-disable-next-line no-restricted-properties
const points = parse(process.env.REGENTRA_FAILPOINTS ?? '');

/** Actions armed by in-process specs (armFailpoint), run once each. */
const armed = new Map<string, () => Promise<void>>();

type Action = { pauseMs: number } | 'kill';

function parse(spec: string): Map<string, Action> {
  const parsed = new Map<string, Action>();
  for (const entry of spec.split(',').filter(Boolean)) {
    const match = /^([\w.-]+)=(?:pause:(\d+)|(kill))$/.exec(entry.trim());
    if (!match)
      throw new Error(`REGENTRA_FAILPOINTS: "${entry}" is not name=pause:<ms> or name=kill`);
    parsed.set(match[1] as string, match[3] ? 'kill' : { pauseMs: Number(match[2]) });
  }
  return parsed;
}

/**
 * Specs: the next time `name` is reached, `action` runs there (once). An
 * action that throws is a crash at that point: the write it interrupts fails
 * and its batch is delivered again. Answers a function that disarms it.
 */
export function armFailpoint(name: string, action: () => Promise<void>): () => void {
  armed.set(name, action);
  return () => {
    if (armed.get(name) === action) armed.delete(name);
  };
}

export async function failpoint(name: string): Promise<void> {
  const action = armed.get(name);
  if (action) {
    armed.delete(name);
    await action();
  }
  const point = points.get(name);
  if (point === undefined) return;
  if (point === 'kill') {
    process.stderr.write(`failpoint ${name} reached: kill -9\n`);
    process.kill(process.pid, 'SIGKILL');
    return;
  }
  process.stderr.write(`failpoint ${name} reached: pausing ${point.pauseMs} ms\n`);
  await new Promise((resolve) => setTimeout(resolve, point.pauseMs));
}
