/**
 * Bundles each task queue's workflows into dist/workflow-bundles (workflow-bundle.<queue>.js), part of
 * `npm run build`. A worker started with TEMPORAL_WORKFLOW_BUNDLE_DIR pointing there (the image sets
 * it) polls seconds sooner than one that bundles at start: timers that came due while a worker was
 * replaced fire that much earlier. The bundles are made from the same checkout as dist/, so they
 * match the code the workers run.
 *
 *   ts-node --transpile-only scripts/build-workflow-bundles.ts [<dir>]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeWorkflowBundles } from '../src/worker/workflow-bundles';

async function main(): Promise<void> {
  const dir = path.resolve(process.argv[2] ?? path.join(__dirname, '..', 'dist', 'workflow-bundles'));
  fs.mkdirSync(dir, { recursive: true });
  const started = Date.now();
  const errors: string[] = [];
  const bundles = await writeWorkflowBundles(dir, (m) => errors.push(m));
  if (errors.length) throw new Error(`bundling the workflows failed:\n${errors.join('\n')}`);
  console.log(`workflow bundles in ${path.relative(process.cwd(), dir) || dir} (${Object.keys(bundles).join(', ')}; ${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
