/**
 * Named pauses for the fault suite (`npm run faults`), in the manner of
 * etcd's gofail: `REGENTRA_FAILPOINTS="projector.beforeEvidence=pause:10000"`
 * makes the process announce the point on stderr and sleep there, so the
 * suite can kill -9 it at that exact moment. Unset (production) it costs one
 * map lookup.
 */
// A test hook, deliberately outside the typed configuration (not a setting an operator makes).
// eslint-disable-next-line no-restricted-properties
const points = parse(process.env.REGENTRA_FAILPOINTS ?? '');

function parse(spec: string): Map<string, number> {
  const parsed = new Map<string, number>();
  for (const entry of spec.split(',').filter(Boolean)) {
    const match = /^([\w.-]+)=pause:(\d+)$/.exec(entry.trim());
    if (!match) throw new Error(`REGENTRA_FAILPOINTS: "${entry}" is not name=pause:<ms>`);
    parsed.set(match[1] as string, Number(match[2]));
  }
  return parsed;
}

export async function failpoint(name: string): Promise<void> {
  const pauseMs = points.get(name);
  if (pauseMs === undefined) return;
  process.stderr.write(`failpoint ${name} reached: pausing ${pauseMs} ms\n`);
  await new Promise((resolve) => setTimeout(resolve, pauseMs));
}
