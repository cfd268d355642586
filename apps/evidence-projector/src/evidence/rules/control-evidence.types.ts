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
};

/** The user fields every user item starts with. */
export type UserRef = {
  userId: string;
  login: string | null;
  email: string | null;
  status: string;
};
