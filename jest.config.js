/**
 * Three tiers, one jest project each (file name says the tier):
 *   *.unit.spec.ts  unit: no services (a local HTTP server such as the Okta simulator is fine)
 *   *.int.spec.ts   integration: real Kafka + MongoDB-wire server (+ Okta simulator)
 *   *.e2e.spec.ts   end to end: simulator -> collector -> Kafka -> projector -> database
 * The global setup resolves Kafka and MongoDB once (env vars, then testcontainers
 * where a Docker engine answers, then the local jars/binaries) and tears down only
 * what it started.
 */
const base = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  moduleNameMapper: {
    '^@regentra/contracts$': '<rootDir>/libs/contracts/src/index.ts',
    '^@regentra/kafka$': '<rootDir>/libs/kafka/src/index.ts',
    '^@regentra/http-auth$': '<rootDir>/libs/http-auth/src/index.ts',
    '^@regentra/http-api$': '<rootDir>/libs/http-api/src/index.ts',
  },
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
  rootDir: __dirname,
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.infra/'],
};
module.exports = {
  // integration and e2e files wait on real services; unit tests finish long before this
  testTimeout: 120000,
  globalSetup: '<rootDir>/test/support/jest-global-setup.ts',
  globalTeardown: '<rootDir>/test/support/jest-global-teardown.ts',
  projects: [
    { ...base, displayName: 'unit', testMatch: ['**/*.unit.spec.ts'] },
    { ...base, displayName: 'integration', testMatch: ['**/*.int.spec.ts'] },
    { ...base, displayName: 'e2e', testMatch: ['**/*.e2e.spec.ts'] },
  ],
};
