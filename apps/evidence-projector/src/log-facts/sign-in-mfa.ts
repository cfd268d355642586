import type { LogFact } from './log-event.document';
import {
  MFA_EVENT,
  MFA_MATCH_AFTER_MS,
  MFA_MATCH_BEFORE_MS,
  NO_SESSION_IDS,
  SIGN_IN_EVENT,
  SUCCESS,
} from './log-rules';

/** A log fact with its parsed time. */
export interface TimedLogFact extends LogFact {
  at: number;
}

/** [startMs, endMs], both ends included. */
export interface MsWindow {
  startMs: number;
  endMs: number;
}

const inWindow = (ms: number, window: MsWindow): boolean =>
  ms >= window.startMs && ms <= window.endMs;

/** How a sign-in was found to be with MFA (see MFA_MATCH_BEFORE_MS). */
export type MfaMatch = 'session' | 'transaction' | 'time';

export interface ClassifiedSignIn {
  event: TimedLogFact;
  mfa: MfaMatch | null;
}

export const sessionOf = (e: LogFact): string | null =>
  e.sessionId && !NO_SESSION_IDS.includes(e.sessionId) ? e.sessionId : null;
export const transactionOf = (e: LogFact): string | null => e.transactionId || null;
const key = (actor: string, kind: string, id: string): string => `${actor}\u0000${kind}\u0000${id}`;

function pushTo<K, V>(map: Map<K, V[]>, k: K, v: V): void {
  const list = map.get(k);
  if (list) list.push(v);
  else map.set(k, [v]);
}

/** Rule 1: the same actor's verification in the same session or transaction. */
function matchExactly(signIns: ClassifiedSignIn[], mfas: TimedLogFact[], used: Set<TimedLogFact>) {
  const byKey = new Map<string, TimedLogFact[]>();
  for (const m of mfas) {
    if (!m.actorId) continue;
    const session = sessionOf(m);
    const transaction = transactionOf(m);
    if (session) pushTo(byKey, key(m.actorId, 's', session), m);
    if (transaction) pushTo(byKey, key(m.actorId, 't', transaction), m);
  }
  for (const s of signIns) {
    if (!s.event.actorId) continue;
    const session = sessionOf(s.event);
    const transaction = transactionOf(s.event);
    const bySession = session ? byKey.get(key(s.event.actorId, 's', session)) : undefined;
    const byTransaction = transaction
      ? byKey.get(key(s.event.actorId, 't', transaction))
      : undefined;
    const matched = bySession ?? byTransaction;
    if (!matched) continue;
    s.mfa = bySession ? 'session' : 'transaction';
    for (const m of matched) used.add(m);
  }
}

/** Different known sessions mean different sign-ins. */
function compatible(signIn: TimedLogFact, mfa: TimedLogFact): boolean {
  const a = sessionOf(signIn);
  const b = sessionOf(mfa);
  return a === null || b === null || a === b;
}

/**
 * Rule 2, per actor: earliest sign-in first takes the earliest unused,
 * compatible verification in [t − before, t + after]. Both lists are
 * time-ordered, so the lower bound only moves forward.
 */
function matchByTime(signIns: ClassifiedSignIn[], mfas: TimedLogFact[], used: Set<TimedLogFact>) {
  const mfasByActor = new Map<string, TimedLogFact[]>();
  for (const m of mfas) if (m.actorId && !used.has(m)) pushTo(mfasByActor, m.actorId, m);
  const lowerBound = new Map<string, number>();
  for (const s of signIns) {
    const actor = s.event.actorId;
    if (s.mfa || !actor) continue;
    const candidates = mfasByActor.get(actor);
    if (!candidates) continue;
    let lo = lowerBound.get(actor) ?? 0;
    while (lo < candidates.length && candidates[lo]!.at < s.event.at - MFA_MATCH_BEFORE_MS) lo++;
    lowerBound.set(actor, lo);
    for (let j = lo; j < candidates.length; j++) {
      const m = candidates[j]!;
      if (m.at > s.event.at + MFA_MATCH_AFTER_MS) break;
      if (used.has(m) || !compatible(s.event, m)) continue;
      used.add(m);
      s.mfa = 'time';
      break;
    }
  }
}

/**
 * Successful sign-ins published in the window, time-ordered, each with or
 * without MFA, from time-ordered, deduped logs. Verifications outside the
 * window still match (rule 1 at any time, rule 2 just before the window).
 */
export function findSignIns(logs: TimedLogFact[], window: MsWindow): ClassifiedSignIn[] {
  const signIns: ClassifiedSignIn[] = [];
  const mfas: TimedLogFact[] = [];
  for (const e of logs) {
    if (e.eventType === SIGN_IN_EVENT && e.outcome === SUCCESS) {
      if (inWindow(e.at, window)) signIns.push({ event: e, mfa: null });
    } else if (e.eventType === MFA_EVENT && e.outcome === SUCCESS) {
      mfas.push(e);
    }
  }
  const used = new Set<TimedLogFact>();
  matchExactly(signIns, mfas, used);
  matchByTime(signIns, mfas, used);
  return signIns;
}
