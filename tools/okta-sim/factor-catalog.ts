import { SimFactor, SimUser } from './model';
import { Prng } from './prng';

/** Factor types Okta lists under `/users/{id}/factors`. */
export const FACTOR_TYPES = [
  'push',
  'token:software:totp',
  'sms',
  'call',
  'email',
  'webauthn',
  'u2f',
  'question',
  'token:hardware',
  'signed_nonce',
  'token',
  'token:hotp',
  'web',
] as const;

export const FACTOR_STATUSES = [
  'ACTIVE',
  'PENDING_ACTIVATION',
  'ENROLLED',
  'NOT_SETUP',
  'INACTIVE',
  'EXPIRED',
  'DISABLED',
] as const;

/** How often each type shows up in a generated org. */
export const FACTOR_WEIGHTS: ReadonlyArray<readonly [string, number]> = [
  ['push', 30],
  ['token:software:totp', 15],
  ['sms', 12],
  ['webauthn', 10],
  ['email', 8],
  ['signed_nonce', 8],
  ['question', 5],
  ['token:hardware', 5],
  ['call', 4],
  ['u2f', 3],
];

interface FactorShape {
  provider: string;
  vendorName: string;
  idPrefix: 'mfa' | 'ufs';
  profile(prng: Prng, user: SimUser): Record<string, unknown>;
}

function phone(prng: Prng): string {
  return `+1 ${prng.int(201, 989)}-XXX-${String(prng.int(0, 9999)).padStart(4, '0')}`;
}

const DEVICES = [
  { deviceType: 'SmartPhone_IPhone', name: 'iPhone', platform: 'IOS', version: '17.4' },
  { deviceType: 'SmartPhone_Android', name: 'Pixel 8', platform: 'ANDROID', version: '14' },
  { deviceType: 'Desktop_Mac', name: 'MacBook Pro', platform: 'MACOS', version: '14.4' },
] as const;

const SHAPES: Readonly<Record<string, FactorShape>> = {
  push: {
    provider: 'OKTA',
    vendorName: 'OKTA',
    idPrefix: 'mfa',
    profile: (prng, user) => ({
      credentialId: user.profile.login,
      ...prng.pick(DEVICES.slice(0, 2)),
    }),
  },
  signed_nonce: {
    provider: 'OKTA',
    vendorName: 'OKTA',
    idPrefix: 'mfa',
    profile: (prng, user) => ({ credentialId: user.profile.login, ...prng.pick(DEVICES) }),
  },
  'token:software:totp': {
    provider: 'OKTA',
    vendorName: 'OKTA',
    idPrefix: 'mfa',
    profile: (_prng, user) => ({ credentialId: user.profile.login }),
  },
  sms: {
    provider: 'OKTA',
    vendorName: 'OKTA',
    idPrefix: 'ufs',
    profile: (prng) => ({ phoneNumber: phone(prng) }),
  },
  call: {
    provider: 'OKTA',
    vendorName: 'OKTA',
    idPrefix: 'ufs',
    profile: (prng) => ({ phoneNumber: phone(prng), phoneExtension: null }),
  },
  email: {
    provider: 'OKTA',
    vendorName: 'OKTA',
    idPrefix: 'ufs',
    profile: (_prng, user) => ({ email: user.profile.email }),
  },
  question: {
    provider: 'OKTA',
    vendorName: 'OKTA',
    idPrefix: 'ufs',
    profile: () => ({
      question: 'disliked_food',
      questionText: 'What is the food you least liked as a child?',
    }),
  },
  webauthn: {
    provider: 'FIDO',
    vendorName: 'FIDO',
    idPrefix: 'mfa',
    profile: (prng) => ({
      credentialId: prng.hex(32),
      authenticatorName: prng.pick(['MacBook Touch ID', 'Windows Hello', 'YubiKey 5 NFC']),
    }),
  },
  u2f: {
    provider: 'FIDO',
    vendorName: 'FIDO',
    idPrefix: 'mfa',
    profile: (prng) => ({ credentialId: prng.hex(40), version: 'U2F_V2' }),
  },
  'token:hardware': {
    provider: 'YUBICO',
    vendorName: 'YUBICO',
    idPrefix: 'mfa',
    profile: (prng) => ({ credentialId: `cccc${prng.hex(8)}` }),
  },
};

const FALLBACK_SHAPE: FactorShape = {
  provider: 'OKTA',
  vendorName: 'OKTA',
  idPrefix: 'mfa',
  profile: () => ({}),
};

export function isFactorType(value: string): boolean {
  return (FACTOR_TYPES as readonly string[]).includes(value);
}

export function buildFactor(
  prng: Prng,
  user: SimUser,
  factorType: string,
  status: string,
  created: string,
  takenIds: Set<string>,
): SimFactor {
  const shape = SHAPES[factorType] ?? FALLBACK_SHAPE;
  let id = prng.oktaId(shape.idPrefix);
  while (takenIds.has(id)) id = prng.oktaId(shape.idPrefix);
  takenIds.add(id);
  return {
    id,
    factorType,
    provider: shape.provider,
    vendorName: shape.vendorName,
    status,
    created,
    lastUpdated: created,
    profile: shape.profile(prng, user),
  };
}
