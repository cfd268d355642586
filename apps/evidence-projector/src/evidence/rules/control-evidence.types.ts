/** What a summary or an item may hold: plain JSON, no undefined, no Date. */
export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type CoverageFigures = { read: number; failed: number };

/** Fields every control's summary carries. */
export type CompletenessSummary = {
  /** The sync's per-dataset coverage, copied (keys sorted). */
  coverage: Record<string, CoverageFigures>;
  /** false when any dataset feeding this control had failures or unknown entries. */
  complete: boolean;
  /** The datasets that made `complete` false, sorted. */
  incompleteDatasets: string[];
  /** Why each of them did (several lines for one dataset possible), by dataset then reason. */
  incompleteReasons: Array<{ dataset: string; reason: string }>;
};

/**
 * Where one control's evidence came from (docs/read-models.md, Provenance):
 * the sync's provenance as the collector published it (null fields: not
 * known, as for syncs published before it), the evidence history it belongs
 * to, what it was computed from and by what.
 */
export type EvidenceProvenance = {
  /** What the customer typed as their Okta domain (a custom domain, or the org host). */
  oktaDomain: string | null;
  /** The Okta org host the API calls went to. */
  apiHost: string | null;
  /** The Okta org id (`/.well-known/okta-organization`). */
  oktaOrgId: string | null;
  /** `${orgId}|${oktaOrgId}`: one history per Okta org an org was connected to; null when unknown. */
  evidenceHistoryId: string | null;
  /** The API token owner's Okta user id. */
  tokenOwnerId: string | null;
  /** An OAuth service app's client id (not used yet). */
  oauthClientId: string | null;
  collectorInstance: string | null;
  collectorVersion: string | null;
  /** The identity sync the evidence is of. */
  identitySyncId: string;
  /** `published` of the newest System Log fact the evidence saw, null when none. */
  logsThrough: string | null;
  /** RULES_VERSIONS of the control (controls.registry.ts). */
  rulesVersion: number;
  /** The projector's code version (`package.json` version, `+commit` when built with one). */
  codeVersion: string;
};

/**
 * One `control_evidence` document's content (the writer adds its own keys).
 * Summaries and items are object-literal types, so only JSON can be put in them.
 */
export type ControlEvidence<
  /** The control id (a key of CONTROLS in controls.registry.ts). */
  C extends string = string,
  S extends Record<string, JsonValue> = Record<string, JsonValue>,
  I extends Record<string, JsonValue[]> = Record<string, JsonValue[]>,
> = {
  orgId: string;
  control: C;
  asOf: string;
  syncId: string;
  summary: S;
  items: I;
  /** Added by the evidence service; absent in documents written before provenance. */
  provenance?: EvidenceProvenance;
};

/** The user fields every user item starts with. */
export type UserRef = {
  userId: string;
  login: string | null;
  email: string | null;
  status: string;
};
