/**
 * "Realistic" object sizes (`objectSize: 'realistic'`): what real customers'
 * Okta objects carry and the small demo objects do not. Everything is drawn
 * from a PRNG seeded by the object's id, so the JSON of one object is the same
 * on every request and across runs. Sizes (measured by
 * okta-sim.object-size.unit.spec.ts; README "Object sizes"):
 *
 * - user: 35–90 custom profile attributes, whole JSON 2–5 KB;
 * - app user: a mapped app profile of 15–35 attributes, whole JSON 1–2 KB;
 * - System Log event: a full debugContext (risk, behaviors, dt hash, long
 *   request URL…), a securityContext and a 2–4 hop request.ipChain, whole JSON 2–4 KB.
 */
import { Prng } from './prng';

export type ObjectSize = 'small' | 'realistic';

const DEPARTMENTS = ['Engineering', 'Finance', 'Sales', 'Support', 'People', 'Legal', 'Security'];
const WORDS = [
  'alpha',
  'harbor',
  'quartz',
  'meridian',
  'falcon',
  'summit',
  'willow',
  'cobalt',
  'ember',
  'lattice',
  'orbit',
  'prairie',
  'tundra',
  'vertex',
  'zephyr',
  'canyon',
  'delta',
  'juniper',
];

/** FNV-1a of a string, for per-object seeds. */
export function seedOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function phrase(prng: Prng, words: number): string {
  return Array.from({ length: words }, () => prng.pick(WORDS)).join(' ');
}

function attributeValue(prng: Prng, index: number): unknown {
  switch (index % 5) {
    case 0:
      return phrase(prng, prng.int(2, 6));
    case 1:
      return prng.int(0, 1_000_000);
    case 2:
      return Array.from({ length: prng.int(1, 4) }, () => `${prng.pick(WORDS)}-${prng.base62(6)}`);
    case 3:
      return prng.chance(0.5);
    default:
      return `${prng.base62(prng.int(8, 24))}`;
  }
}

/** The custom profile attributes of a user (added beside Okta's base attributes). */
export function customUserProfile(userId: string): Record<string, unknown> {
  const prng = new Prng(seedOf(`profile:${userId}`));
  const profile: Record<string, unknown> = {
    employeeNumber: String(prng.int(10_000, 999_999)),
    costCenter: `CC-${prng.int(100, 999)}`,
    department: prng.pick(DEPARTMENTS),
    division: prng.pick(DEPARTMENTS),
    organization: 'Example Corp',
    title: phrase(prng, 3),
    managerId: `00u${prng.base62(17)}`,
    streetAddress: `${prng.int(1, 999)} ${phrase(prng, 2)} street`,
    city: prng.pick(WORDS),
    countryCode: prng.pick(['US', 'GB', 'DE', 'FR', 'NL', 'IE']),
  };
  const extra = prng.int(25, 80);
  for (let i = 0; i < extra; i++)
    profile[`custom_${prng.pick(WORDS)}_${i}`] = attributeValue(prng, i);
  return profile;
}

/** The profile an app maps for one of its users (SAML/SCIM attribute statements). */
export function mappedAppProfile(
  appId: string,
  userId: string,
  login: string,
): Record<string, unknown> {
  const prng = new Prng(seedOf(`app-profile:${appId}:${userId}`));
  const profile: Record<string, unknown> = {
    email: login,
    userName: login,
    displayName: phrase(prng, 2),
    role: prng.pick(['viewer', 'editor', 'admin', 'billing', 'auditor']),
    salesforceGroups: Array.from({ length: prng.int(1, 4) }, () => phrase(prng, 2)),
  };
  const extra = prng.int(10, 30);
  for (let i = 0; i < extra; i++)
    profile[`attr_${prng.pick(WORDS)}_${i}`] = attributeValue(prng, i);
  return profile;
}

/** The extra debug data a real System Log event carries. */
export function richDebugData(prng: Prng): Record<string, string> {
  return {
    authnRequestId: prng.base62(27),
    dtHash: prng.hex(64),
    deviceFingerprint: prng.hex(32),
    risk: `{reasons=${phrase(prng, 4)}, level=${prng.pick(['LOW', 'MEDIUM', 'HIGH'])}}`,
    behaviors: `{New Geo-Location=${prng.pick(['NEGATIVE', 'POSITIVE'])}, New Device=NEGATIVE, New IP=${prng.pick(['NEGATIVE', 'POSITIVE'])}, New State=NEGATIVE, New Country=NEGATIVE, Velocity=NEGATIVE, New City=NEGATIVE}`,
    logOnlySecurityData: `{"risk":{"level":"LOW"},"behaviors":{"New Geo-Location":"NEGATIVE","New Device":"NEGATIVE","New IP":"POSITIVE"}}`,
    requestUri: '/idp/idx/challenge/answer',
    url: `/idp/idx/challenge/answer?stateTokenExternalId=${prng.base62(40)}&client_id=${prng.base62(20)}&redirect_uri=${encodeURIComponent(`https://${prng.pick(WORDS)}.example.com/callback/${prng.base62(30)}`)}`,
    tunnels: `[{"anonymous":false,"operator":"${prng.pick(WORDS)}","type":"VPN"}]`,
    clientAddress: `${prng.int(20, 220)}.${prng.int(0, 255)}.${prng.int(0, 255)}.${prng.int(1, 254)}`,
    threatDetections: `{"${prng.pick(WORDS)}":"${phrase(prng, 6)}"}`,
    signOnMode: prng.pick(['SAML 2.0', 'OpenID Connect', 'Okta Dashboard']),
    initiationType: prng.pick(['IDP_INITIATED', 'SP_INITIATED']),
    requestedScopes: Array.from({ length: prng.int(2, 6) }, () => prng.pick(WORDS)).join(' '),
  };
}

/** How many hops a realistic request.ipChain has (the first is the client). */
export const ipChainHops = (prng: Prng): number => prng.int(2, 4);
