/**
 * Workflow code must stay deterministic: it bundles with Temporal's bundler, and the lint rule run by
 * `npm test` refuses Nest, MikroORM, pg and Node built-ins in workflows/.
 */
import * as path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { spawnSync } from 'node:child_process';
import { ALL_WORKFLOWS_PATH } from '../../src/worker/workflows-path';

const root = path.resolve(__dirname, '../..');
const noop = () => undefined;
const silent = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop };

test('workflows/ bundles with bundleWorkflowCode', async () => {
  const bundle = await bundleWorkflowCode({ workflowsPath: ALL_WORKFLOWS_PATH, logger: silent });
  expect(bundle.code).toContain('conversationWorkflow');
  expect(bundle.code).not.toMatch(/@mikro-orm|@nestjs\/core/);
}, 120_000);

describe('lint rule for workflow files', () => {
  // ESLint loads its ESM config with import(), which jest's module sandbox refuses: run the real CLI.
  const lint = async (code: string) => {
    const out = spawnSync(
      process.execPath,
      [path.join(root, 'node_modules/eslint/bin/eslint.js'), '--format', 'json', '--stdin', '--stdin-filename', 'workflows/conversation/probe.workflow.ts'],
      { cwd: root, input: code, encoding: 'utf8' },
    );
    const [result] = JSON.parse(out.stdout) as { messages: { ruleId: string; message: string }[] }[];
    return result.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
  };

  test.each([
    [`import { Injectable } from '@nestjs/common';`, 'Nest'],
    [`import { EntityManager } from '@mikro-orm/postgresql';`, 'Database access'],
    [`import { Client } from 'pg';`, 'Database access'],
    [`import * as fs from 'fs';`, 'Node built-ins'],
    [`import { randomUUID } from 'node:crypto';`, 'Node built-ins'],
    [`import 'reflect-metadata';`, 'reflect-metadata'],
    [`import { createActivities } from '../../activities';`, 'import type'],
    [`import { Client } from '@temporalio/client';`, '@temporalio/workflow'],
  ])('%s is refused', async (code, why) => {
    const messages = await lint(`${code}\nexport const x = 1;\n`);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(why);
  });

  test('deterministic imports pass', async () => {
    const messages = await lint(
      `import { sleep } from '@temporalio/workflow';\nimport type { Activities } from '../../activities';\nexport type A = Activities;\nexport const s = sleep;\n`,
    );
    expect(messages).toEqual([]);
  });
});
