/**
 * Builds the admin console (console/ -> dist/console) with Vite, or skips it when the build is
 * newer than every file it is made of (console/, package-lock.json). Used by `npm start` (so a
 * restart without console changes costs no build) and by the jest global setup (browser tests need
 * a built console). `npm run build` always builds (build:console).
 *
 *   ts-node --transpile-only scripts/build-console.ts [--if-stale]
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const SOURCES = [path.join(ROOT, 'console'), path.join(ROOT, 'package-lock.json')];
export const CONSOLE_INDEX = path.join(ROOT, 'dist/console/index.html');

function newestMtime(p: string): number {
  const stat = fs.statSync(p);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(p)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    newest = Math.max(newest, newestMtime(path.join(p, entry)));
  }
  return newest;
}

/** Why the console needs a build, or undefined when dist/console is newer than its sources. */
export function consoleStaleReason(): string | undefined {
  if (!fs.existsSync(CONSOLE_INDEX)) return 'dist/console is missing';
  const built = fs.statSync(CONSOLE_INDEX).mtimeMs;
  const changed = SOURCES.filter((s) => fs.existsSync(s) && newestMtime(s) > built);
  return changed.length ? `${changed.map((s) => path.relative(ROOT, s)).join(', ')} changed since the last build` : undefined;
}

/** `vite build` of console/; throws with Vite's output when it fails. Returns the time it took in ms. */
export function buildConsole(log: (line: string) => void = console.log): number {
  const started = Date.now();
  const vite = path.join(ROOT, 'node_modules/vite/bin/vite.js');
  // Always React's production build: jest sets NODE_ENV=test, which made Vite bundle the development build.
  const env = { ...process.env, NODE_ENV: 'production' };
  const res = spawnSync(process.execPath, [vite, 'build', '--config', 'console/vite.config.mts', '--logLevel', 'warn'], { cwd: ROOT, encoding: 'utf8', env });
  if (res.status !== 0) throw new Error(`vite build failed (${res.status}):\n${res.stdout}\n${res.stderr}`);
  const ms = Date.now() - started;
  log(`console built into dist/console (${(ms / 1000).toFixed(1)} s)`);
  return ms;
}

/** Builds when stale; says what it did. */
export function ensureConsoleBuilt(log: (line: string) => void = console.log): void {
  const reason = consoleStaleReason();
  if (!reason) return log('console: dist/console is up to date');
  log(`console: building (${reason})`);
  buildConsole(log);
}

if (require.main === module) {
  try {
    if (process.argv.includes('--if-stale')) ensureConsoleBuilt((l) => console.log(`[console] ${l}`));
    else buildConsole((l) => console.log(`[console] ${l}`));
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
