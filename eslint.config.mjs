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
