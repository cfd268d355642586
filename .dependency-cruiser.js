/** Architecture rules, checked by `npm run lint` (see STYLE.md). */
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
    exclude: { path: '(^dist/|node_modules)' },
  },
};
