/**
 * The benches' child processes (bench-api.ts, bench-worker.ts) on plain node: the product's tree as
 * `npm run build` compiles it plus both entries (bench-processes.tsconfig.json), compiled with tsc
 * into a folder of the bench's. A folder is compiled once: the API and the worker of one bench share it.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { log } from './run';

const REPO = path.resolve(__dirname, '..', '..');

/** tsc's exit status and output per folder compiled into by this process. */
const compiled = new Map<string, { status: number | null; output: string }>();

/**
 * Compiles into `outDir` (once) and answers it when `entry` (a path inside it, e.g.
 * bench/support/bench-worker.js) came out; type errors elsewhere in the tree do not stop the emit.
 * Undefined when nothing usable came out (the caller runs on ts-node then).
 */
export function compileBenchTree(outDir: string, entry: string): string | undefined {
  let result = compiled.get(outDir);
  if (!result) {
    const tsc = require.resolve('typescript/bin/tsc');
    const project = path.join(__dirname, 'bench-processes.tsconfig.json');
    const started = Date.now();
    const run = spawnSync(process.execPath, [tsc, '-p', project, '--outDir', outDir, '--sourceMap', 'false'], { cwd: REPO, encoding: 'utf8' });
    result = { status: run.status, output: `${run.stdout}${run.stderr}`.trim() };
    compiled.set(outDir, result);
    if (result.status !== 0) log(`tsc reported type errors in the tree (exit ${result.status}); the emitted JavaScript is used where it came out`);
    log(`compiled the tree in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  if (fs.existsSync(path.join(outDir, entry))) return outDir;
  log(`tsc produced no ${entry} (exit ${result.status}): ${result.output.split('\n').slice(0, 5).join(' | ')}`);
  return undefined;
}
