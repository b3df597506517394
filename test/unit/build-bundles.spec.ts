/**
 * The production build ships prebuilt workflow bundles and the image's workers use them: a worker
 * that bundles at start polls seconds later, so timers due during a worker replacement fire late.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { workflowBundlesIn } from '../../src/worker/workflow-bundles';
import { QUEUE_WORKFLOWS_PATHS } from '../../src/worker/workflows-path';

const ROOT = path.join(__dirname, '../..');

test('npm run build writes the bundles, and the image points its workers at them', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  expect(pkg.scripts.build).toContain('npm run build:workflows');
  expect(pkg.scripts['build:workflows']).toBe('ts-node --transpile-only scripts/build-workflow-bundles.ts');
  const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  expect(dockerfile).toMatch(/RUN npm run build\b/);
  expect(dockerfile).toMatch(/ENV [^\n]*TEMPORAL_WORKFLOW_BUNDLE_DIR=\/app\/dist\/workflow-bundles/);
  // The folder holds one bundle per task queue, under the names the worker reads.
  expect(Object.keys(workflowBundlesIn('/app/dist/workflow-bundles')).sort()).toEqual(Object.keys(QUEUE_WORKFLOWS_PATHS).sort());
});
