/** The projector's own time-by-phase counters (evidence_projector_phase_seconds_total), in ms. */
export async function phaseBreakdown(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const phases: Record<string, number> = {};
  for (const match of text.matchAll(
    /^evidence_projector_phase_seconds_total\{phase="([a-z_]+)"\} ([0-9.e+-]+)$/gm,
  ))
    phases[match[1] as string] = Math.round(Number(match[2]) * 1000);
  return phases;
}
