/**
 * Finds the `temporal` CLI that runs the local dev server, in this order:
 *   1. TEMPORAL_CLI_PATH
 *   2. `temporal` on PATH
 *   3. a copy built earlier, cached outside the checkout (~/.cache/cx-platform/...)
 *   4. building it with `go install github.com/temporalio/cli/cmd/temporal@v1.5.1` (then v1.4.1)
 *   5. none: the caller falls back to the download that @temporalio/testing performs.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const TEMPORAL_CLI_VERSIONS = ['v1.5.1', 'v1.4.1'] as const;

export type TemporalCliSource = 'TEMPORAL_CLI_PATH' | 'PATH' | 'cache' | 'go install' | 'sdk download';

export interface ResolvedTemporalCli {
  /** Undefined for the sdk download fallback. */
  path?: string;
  source: TemporalCliSource;
  detail: string;
}

export function cacheRoot(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'cx-platform');
}

export function cachedCliPath(version: string): string {
  return path.join(cacheRoot(), `temporal-cli-${version}`, 'temporal');
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(binary: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, binary))) return path.join(dir, binary);
  }
  return undefined;
}

function goAvailable(): boolean {
  const r = spawnSync('go', ['version'], { stdio: 'ignore' });
  return r.status === 0;
}

/** Builds the CLI with Go into a temporary folder, then moves it into the cache in one rename. */
async function goInstall(version: string, log: (line: string) => void): Promise<string> {
  const target = cachedCliPath(version);
  const staging = fs.mkdtempSync(path.join(path.dirname(path.dirname(target)), `.build-${version}-`));
  const started = Date.now();
  const ticker = setInterval(
    () => log(`  still building the Temporal CLI ${version} (${Math.round((Date.now() - started) / 1000)} s so far)`),
    30_000,
  );
  try {
    const output: string[] = [];
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn('go', ['install', `github.com/temporalio/cli/cmd/temporal@${version}`], {
        env: { ...process.env, GOBIN: staging, GOFLAGS: '-mod=mod' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const keep = (chunk: Buffer) => {
        output.push(chunk.toString());
        if (output.length > 200) output.shift();
      };
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      child.on('error', reject);
      child.on('close', resolve);
    });
    const built = path.join(staging, 'temporal');
    if (code !== 0 || !isExecutable(built)) {
      const tail = output.join('').trim().split('\n').slice(-5).join('\n    ');
      throw new Error(`go install of temporal ${version} failed (exit ${code}):\n    ${tail}`);
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.renameSync(built, target);
    log(`built the Temporal CLI ${version} in ${Math.round((Date.now() - started) / 1000)} s, cached at ${target}`);
    return target;
  } finally {
    clearInterval(ticker);
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

export async function resolveTemporalCli(
  opts: { cliPath?: string; allowBuild?: boolean; log?: (line: string) => void } = {},
): Promise<ResolvedTemporalCli> {
  const log = opts.log ?? (() => undefined);
  if (opts.cliPath) {
    if (!isExecutable(opts.cliPath)) {
      throw new Error(`TEMPORAL_CLI_PATH=${opts.cliPath} is not an executable file`);
    }
    return { path: opts.cliPath, source: 'TEMPORAL_CLI_PATH', detail: opts.cliPath };
  }
  const fromPath = onPath('temporal');
  if (fromPath) return { path: fromPath, source: 'PATH', detail: fromPath };
  for (const version of TEMPORAL_CLI_VERSIONS) {
    const cached = cachedCliPath(version);
    if (isExecutable(cached)) return { path: cached, source: 'cache', detail: cached };
  }
  if (opts.allowBuild !== false && goAvailable()) {
    fs.mkdirSync(cacheRoot(), { recursive: true });
    const failures: string[] = [];
    for (const version of TEMPORAL_CLI_VERSIONS) {
      log(
        `building the Temporal CLI ${version} with Go (one time; about 5-6 minutes on 2 cores, ` +
          `the result is cached in ${path.dirname(cachedCliPath(version))} for every later start and clone)`,
      );
      try {
        const built = await goInstall(version, log);
        return { path: built, source: 'go install', detail: `${built} (${version})` };
      } catch (err) {
        failures.push((err as Error).message);
        log((err as Error).message);
      }
    }
    log(`could not build the Temporal CLI with Go; trying the @temporalio/testing download instead`);
  }
  return {
    source: 'sdk download',
    detail: 'no temporal binary found (TEMPORAL_CLI_PATH, PATH, cache) and none could be built with Go; @temporalio/testing will try to download one',
  };
}
