/** Architecture rules, checked by `npm run lint` (see docs/style.md). */
module.exports = {
  forbidden: [
    {
      name: 'contracts-stay-pure',
      comment: 'libs/contracts is the wire: no Nest, Kafka, Mongo or HTTP client code',
      severity: 'error',
      from: { path: '^libs/contracts' },
      to: { path: 'node_modules/(@nestjs|kafkajs|mongodb|undici|express)' },
    },
    {
      name: 'collector-does-not-import-projector',
      severity: 'error',
      from: { path: '^apps/okta-collector' },
      to: { path: '^apps/evidence-projector' },
    },
    {
      name: 'projector-does-not-import-collector',
      severity: 'error',
      from: { path: '^apps/evidence-projector' },
      to: { path: '^apps/okta-collector' },
    },
    {
      name: 'apps-do-not-import-tests',
      severity: 'error',
      from: { path: '^(apps|libs)/', pathNot: '\\.(unit|int|e2e)\\.spec\\.ts$' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'slice-owns-its-collections',
      comment:
        "a *.store.ts is private to its slice; other folders call the named methods of the slice's *.repository.ts, whose collections stay private (scripts/lint/folder-cycles.mjs checks that)",
      severity: 'error',
      from: { path: '^apps/([^/]+)/src/([^/]+)/', pathNot: '\\.spec\\.ts$' },
      to: {
        path: '^apps/[^/]+/src/[^/]+/.+\\.store\\.ts$',
        pathNot: '^apps/$1/src/$2/',
      },
    },
    {
      name: 'kafka-in-one-folder',
      comment: "kafkajs is used only in each app's kafka/ folder (and libs/kafka)",
      severity: 'error',
      from: {
        path: '^apps/[^/]+/src/',
        pathNot: [
          '^apps/[^/]+/src/kafka/',
          '\\.spec\\.ts$',
          '^apps/[^/]+/src/[^/]+\\.module\\.ts$',
        ],
      },
      to: { path: 'node_modules/kafkajs' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: '^dist/' },
  },
};
