// Lint: TypeScript recommended rules everywhere (the console too, with the rules of hooks), plus the rule that keeps workflow code deterministic.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

const nodeBuiltins = [...new Set(builtinModules.map((m) => m.replace(/^node:/, '')))];

/** Workflow files run in Temporal's deterministic sandbox: no Nest, ORM, database driver or Node built-ins. */
export const workflowImportRule = [
  'error',
  {
    paths: [
      ...nodeBuiltins.map((name) => ({ name, message: 'Node built-ins are not allowed in workflow code: do it in an activity.' })),
      { name: 'reflect-metadata', message: 'reflect-metadata breaks the workflow sandbox.' },
      { name: 'pg', message: 'Database access belongs in activities.' },
    ],
    patterns: [
      { group: ['node:*'], message: 'Node built-ins are not allowed in workflow code: do it in an activity.' },
      { group: ['@nestjs/*'], message: 'Nest is not allowed in workflow code.' },
      { group: ['@mikro-orm/*', 'pg-*', 'knex'], message: 'Database access belongs in activities.' },
      { group: ['@temporalio/client', '@temporalio/worker', '@temporalio/activity', '@temporalio/testing'], message: 'Workflow code imports only @temporalio/workflow and @temporalio/common.' },
      { group: ['**/src/**', '**/activities/**', '**/activities'], allowTypeImports: true, message: 'Workflow code may only `import type` from activities and src.' },
    ],
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', 'coverage/**', 'test-artifacts/**', 'console/src/api/schema.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': workflowImportRule },
  },
  {
    // Type-aware, as Temporal's samples do: a promise in workflow code that nobody awaits runs its
    // command at an unplanned point of the history; in activities it outlives the attempt.
    files: ['workflows/**/*.ts', 'activities/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
  },
  {
    // The admin console (React): the rules of hooks, nothing heavier.
    files: ['console/**/*.{ts,tsx,mts}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },
);
