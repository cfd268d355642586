// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.infra/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read configuration once at boot (config/*.config.ts) and inject it.',
        },
      ],
    },
  },
  {
    // A slice owns its collections: only its *.repository.ts / *.store.ts opens them
    // (other folders never import a *.store.ts, dependency-cruiser's
    // slice-owns-its-collections, and call a *.repository.ts through its named methods,
    // its Collection members private, scripts/lint/folder-cycles.mjs).
    files: ['apps/**/*.ts'],
    ignores: ['**/*.repository.ts', '**/*.store.ts', '**/*spec.ts', '**/*.testing.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            'CallExpression[callee.property.name=/^(collection|createCollection|dropCollection)$/]',
          message:
            'Open a collection only in the *.repository.ts or *.store.ts of the slice that owns it.',
        },
      ],
    },
  },
  {
    // Only boot code, config loaders, infra scripts, tests and tools read the environment.
    files: [
      '**/main.ts',
      '**/*.config.ts',
      '**/*.cli.ts',
      'scripts/**',
      'test/**',
      'bench/**',
      '**/*spec.ts',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
);
