// ESLint flat config. Not type-aware on purpose (fast); `tsc --noEmit` does the type checks.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import weir from './eslint-rules/index.js';

export default defineConfig(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.tmp/**',
      'weir-data/**',
      // Generated code is checked by regenerating it (npm run check:generated), not by lint.
      'src/protocol/kafka/generated/**',
      'src/protocol/kafka/schemas/**',
      'src/coordinator/offsets/generated/**',
    ],
  },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    languageOptions: { globals: globals.node },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
        },
      ],
    },
  },
  {
    // DESIGN.md §2: who may import whom, and which layers are sans-I/O.
    files: ['src/**/*.ts'],
    plugins: { weir },
    rules: {
      'weir/import-boundaries': 'error',
      // Only the CLI writes to the console; everything else logs through a Logger.
      'no-console': 'error',
    },
  },
  {
    files: ['src/cli/**'],
    rules: { 'no-console': 'off' },
  },
);
