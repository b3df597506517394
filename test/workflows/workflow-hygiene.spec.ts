/**
 * Workflow code must stay deterministic: it bundles with Temporal's bundler, and the lint rule run by
 * `npm test` refuses Nest, MikroORM, pg and Node built-ins in workflows/.
 */
import * as fs from 'node:fs';
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

test('every contract names the workflow its bundle exports (clients start workflows by that name)', async () => {
  const exported = Object.keys(await import('../../workflows'));
  const contracts = await import('../../workflows/contracts');
  const types = [contracts.conversationWorkflowType, contracts.agentPresenceWorkflowType, contracts.mailboxWorkflowType, contracts.campaignRunWorkflowType, contracts.webhookEndpointWorkflowType, contracts.crmLookupWorkflowType];
  expect(exported.sort()).toEqual([...types].sort());
});

describe('lint rules for workflow files', () => {
  const PROBES: [string, string | null][] = [
    [`import { Injectable } from '@nestjs/common';\nexport const x = Injectable;\n`, 'Nest'],
    [`import { EntityManager } from '@mikro-orm/postgresql';\nexport const x = EntityManager;\n`, 'Database access'],
    [`import { Client } from 'pg';\nexport const x = Client;\n`, 'Database access'],
    [`import * as fs from 'fs';\nexport const x = fs;\n`, 'Node built-ins'],
    [`import { randomUUID } from 'node:crypto';\nexport const x = randomUUID;\n`, 'Node built-ins'],
    [`import 'reflect-metadata';\nexport const x = 1;\n`, 'reflect-metadata'],
    [`import { createConversationQueueActivities } from '../../activities';\nexport const x = createConversationQueueActivities;\n`, 'import type'],
    [`import { Client } from '@temporalio/client';\nexport const x = Client;\n`, '@temporalio/workflow'],
    // A promise nobody awaits runs its command at an unplanned point of the history.
    [`import { sleep } from '@temporalio/workflow';\nexport async function probe(): Promise<void> {\n  sleep(10);\n}\n`, 'Promises must be awaited'],
    [`import { sleep } from '@temporalio/workflow';\nimport type { ConversationActivities } from '../../activities/conversation.activities';\nexport type A = ConversationActivities;\nexport async function probe(): Promise<void> {\n  await sleep(10);\n}\n`, null],
  ];
  let results: Map<string, string[]>;

  // ESLint loads its ESM config with import(), which jest's module sandbox refuses: run the real CLI,
  // once over probe files on disk (its type-aware rules read them through the TypeScript project).
  beforeAll(() => {
    const dir = path.join(root, 'workflows', `lint-probe-${process.pid}`);
    fs.mkdirSync(dir);
    try {
      const files = PROBES.map(([code], i) => {
        const file = path.join(dir, `probe-${i}.ts`);
        fs.writeFileSync(file, code);
        return file;
      });
      const out = spawnSync(process.execPath, [path.join(root, 'node_modules/eslint/bin/eslint.js'), '--format', 'json', ...files], { cwd: root, encoding: 'utf8' });
      const report = JSON.parse(out.stdout) as { filePath: string; messages: { ruleId: string | null; message: string }[] }[];
      results = new Map(report.map((r) => [r.filePath, r.messages.map((m) => `${m.ruleId}: ${m.message}`)]));
      results = new Map(files.map((f) => [f, results.get(f) ?? [`not linted: ${out.stderr}`]]));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  test.each(PROBES.map(([code, why], i) => [code.split('\n')[0], why, i] as const))('%s -> %s', (_first, why, i) => {
    const messages = [...results.values()][i];
    if (why === null) expect(messages).toEqual([]);
    else {
      expect(messages).toHaveLength(1);
      expect(messages[0]).toContain(why);
    }
  });
});
