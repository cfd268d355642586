import { ACCESS_REVIEW_DATASETS } from './access-review.evidence';
import { AUTHENTICATION_DATASETS } from './authentication.evidence';
import { CONTROL_IDS, ControlId } from './controls.registry';
import { computeEvidence } from './evidence';
import { LEAST_PRIVILEGE_DATASETS } from './least-privilege.evidence';
import type { OrgState } from './org-state';
import { daysBefore, logCoverage, orgState, user } from './org-state.testing';
import { PROVISIONING_DATASETS } from './provisioning.evidence';

/** Every dataset each control lists (docs/read-models.md, "Complete, and why not"). */
const LISTED: Record<ControlId, readonly string[]> = {
  'access-review': ACCESS_REVIEW_DATASETS,
  provisioning: PROVISIONING_DATASETS,
  authentication: AUTHENTICATION_DATASETS,
  'least-privilege': LEAST_PRIVILEGE_DATASETS,
};

function withoutEntry(state: OrgState, dataset: string): OrgState {
  if (dataset === 'systemLog') {
    const { systemLog: _dropped, ...rest } = state;
    return rest;
  }
  const coverage = { ...state.coverage };
  delete coverage[dataset];
  return { ...state, coverage };
}

describe('evidence fails closed', () => {
  const state = orgState({ users: [user('a')] });

  it('is complete when every listed dataset has a clean entry', () => {
    const all = computeEvidence(state);
    for (const control of CONTROL_IDS) expect(all[control].summary.complete).toBe(true);
  });

  it.each(CONTROL_IDS.flatMap((c) => LISTED[c].map((d) => [c, d] as const)))(
    'given %s lists %s, when the entry is missing, then the control is incomplete and names it',
    (control, dataset) => {
      const summary = computeEvidence(withoutEntry(state, dataset))[control].summary;
      expect(summary.complete).toBe(false);
      expect(summary.incompleteDatasets).toEqual([dataset]);
      expect(summary.incompleteReasons).toEqual([
        { dataset, reason: 'no coverage entry: unknown' },
      ]);
    },
  );

  it('given a System Log gap or a stale log, then the controls reading the log say why', () => {
    const problems = [
      'gap 2025-05-30T00:00:00.000Z..2025-05-31T00:00:00.000Z: 1 batch of poll poll-1 did not arrive',
      'stale: no successful System Log poll since 2025-05-31T00:00:00.000Z (over 3 h)',
    ];
    const gap = { since: daysBefore(2), until: daysBefore(1), pollId: 'poll-1', missingBatches: 1 };
    const all = computeEvidence({
      ...state,
      systemLog: logCoverage({ gaps: [gap], problems, lastSuccessfulPollAt: daysBefore(1) }),
    });
    for (const control of ['authentication', 'provisioning'] as const) {
      const summary = all[control].summary;
      expect(summary.complete).toBe(false);
      expect(summary.incompleteDatasets).toEqual(['systemLog']);
      expect(summary.incompleteReasons.map((r) => r.reason)).toEqual(problems);
      expect(summary.logCoverage?.gaps).toEqual([gap]);
    }
    // the controls that do not read the log are not affected
    expect(all['access-review'].summary.complete).toBe(true);
    expect(all['least-privilege'].summary.complete).toBe(true);
  });
});
