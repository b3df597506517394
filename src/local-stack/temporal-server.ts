/**
 * Temporal's real server (not the CLI's dev server) for the cluster profile: the `server` binary, the
 * `sql` schema tool and the PostgreSQL schema files of one release, looked up in this order:
 *   1. TEMPORAL_SERVER_PATH (and TEMPORAL_SQL_TOOL_PATH; the schema from TEMPORAL_SCHEMA_DIR or the Go module cache)
 *   2. a copy built earlier, cached outside the checkout (~/.cache/cx-platform/temporal-server-<version>/)
 *   3. built with `go install go.temporal.io/server/cmd/server@<version> go.temporal.io/server/cmd/tools/sql@<version>`
 *      (one time, about 6 minutes on 2 cores); the schema files come with the module and are copied
 *      into the cache next to the binaries, so later starts need neither Go nor the module cache.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cacheRoot } from './temporal-cli';

/** The release the cluster profile runs (docker-compose.yml runs the same one). */
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
const MODULE = 'go.temporal.io/server';

export type TemporalServerSource = 'TEMPORAL_SERVER_PATH' | 'cache' | 'go install';

export interface ResolvedTemporalServer {
  server: string;
  sqlTool: string;
  /** Holds temporal/versioned and visibility/versioned (schema/postgresql/v12 of the module). */
  schemaDir: string;
  version: string;
  source: TemporalServerSource;
}

export function cachedServerDir(version = TEMPORAL_SERVER_VERSION): string {
  return path.join(cacheRoot(), `temporal-server-${version}`);
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

const hasSchema = (dir: string) => fs.existsSync(path.join(dir, 'temporal', 'versioned')) && fs.existsSync(path.join(dir, 'visibility', 'versioned'));

function goAvailable(): boolean {
  return spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0;
}

/** schema/postgresql/v12 of the module in Go's module cache, downloading the module when Go can. */
function moduleSchemaDir(version: string): string | undefined {
  if (!goAvailable()) return undefined;
  const modcache = spawnSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).stdout.trim();
  const inCache = path.join(modcache, `${MODULE}@${version}`, 'schema', 'postgresql', 'v12');
  if (hasSchema(inCache)) return inCache;
  const download = spawnSync('go', ['mod', 'download', '-json', `${MODULE}@${version}`], { encoding: 'utf8' });
  if (download.status !== 0) return undefined;
  const dir = (JSON.parse(download.stdout) as { Dir?: string }).Dir;
  const schema = dir ? path.join(dir, 'schema', 'postgresql', 'v12') : undefined;
  return schema && hasSchema(schema) ? schema : undefined;
}

/** The schema next to the cached binaries; copied there from the module on first use. */
function cachedSchemaDir(version: string): string | undefined {
  const target = path.join(cachedServerDir(version), 'schema', 'postgresql', 'v12');
  if (hasSchema(target)) return target;
  const source = moduleSchemaDir(version);
  if (!source) return undefined;
  const staging = `${target}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.cpSync(source, staging, { recursive: true });
  // Module cache files are read-only; the copy need not be.
  fs.rmSync(target, { recursive: true, force: true });
  fs.renameSync(staging, target);
  return target;
}

/** Builds both programs with Go into a temporary folder, then moves them into the cache. */
async function goInstall(version: string, log: (line: string) => void): Promise<void> {
  const target = cachedServerDir(version);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const staging = fs.mkdtempSync(path.join(path.dirname(target), `.build-server-${version}-`));
  const started = Date.now();
  const ticker = setInterval(() => log(`  still building Temporal's server ${version} (${Math.round((Date.now() - started) / 1000)} s so far)`), 30_000);
  try {
    const output: string[] = [];
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn('go', ['install', `${MODULE}/cmd/server@${version}`, `${MODULE}/cmd/tools/sql@${version}`], {
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
    if (code !== 0 || !isExecutable(path.join(staging, 'server')) || !isExecutable(path.join(staging, 'sql'))) {
      const tail = output.join('').trim().split('\n').slice(-5).join('\n    ');
      throw new Error(`go install of Temporal's server ${version} failed (exit ${code}):\n    ${tail}`);
    }
    fs.mkdirSync(target, { recursive: true });
    // sql first: a cache holding `server` is taken as complete.
    fs.renameSync(path.join(staging, 'sql'), path.join(target, 'sql'));
    fs.renameSync(path.join(staging, 'server'), path.join(target, 'server'));
    log(`built Temporal's server ${version} in ${Math.round((Date.now() - started) / 1000)} s, cached in ${target}`);
  } finally {
    clearInterval(ticker);
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

export interface ResolveTemporalServerOptions {
  serverPath?: string;
  sqlToolPath?: string;
  schemaDir?: string;
  allowBuild?: boolean;
  log?: (line: string) => void;
}

export async function resolveTemporalServer(opts: ResolveTemporalServerOptions = {}): Promise<ResolvedTemporalServer> {
  const log = opts.log ?? (() => undefined);
  const version = TEMPORAL_SERVER_VERSION;
  const schemaOr = (found: string | undefined, where: string): string => {
    const dir = opts.schemaDir ?? found;
    if (!dir || !hasSchema(dir)) {
      throw new Error(
        `the PostgreSQL schema of Temporal's server ${version} was not found (${opts.schemaDir ? `TEMPORAL_SCHEMA_DIR=${opts.schemaDir} has no temporal/versioned and visibility/versioned` : `${where}, and Go could not fetch the module`}); ` +
          `set TEMPORAL_SCHEMA_DIR to schema/postgresql/v12 of ${MODULE}@${version}`,
      );
    }
    return dir;
  };

  if (opts.serverPath) {
    const sqlTool = opts.sqlToolPath ?? path.join(path.dirname(opts.serverPath), 'sql');
    for (const [name, file] of [['TEMPORAL_SERVER_PATH', opts.serverPath], [opts.sqlToolPath ? 'TEMPORAL_SQL_TOOL_PATH' : 'the sql tool next to TEMPORAL_SERVER_PATH', sqlTool]] as const) {
      if (!isExecutable(file)) throw new Error(`${name}=${file} is not an executable file`);
    }
    const besides = path.join(path.dirname(opts.serverPath), 'schema', 'postgresql', 'v12');
    const schemaDir = schemaOr(hasSchema(besides) ? besides : cachedSchemaDir(version) ?? moduleSchemaDir(version), `not next to ${opts.serverPath}`);
    return { server: opts.serverPath, sqlTool, schemaDir, version, source: 'TEMPORAL_SERVER_PATH' };
  }

  const dir = cachedServerDir(version);
  const cached = () => isExecutable(path.join(dir, 'server')) && isExecutable(path.join(dir, 'sql'));
  let source: TemporalServerSource = 'cache';
  if (!cached()) {
    if (opts.allowBuild === false || !goAvailable()) {
      throw new Error(
        `Temporal's server ${version} is not built (${dir} has no server and sql) and ${opts.allowBuild === false ? 'building was not allowed here' : 'Go is not installed'}: ` +
          `run "npm run temporal:server" (needs Go; one time, about 6 minutes), or set TEMPORAL_SERVER_PATH (and TEMPORAL_SQL_TOOL_PATH), or TEMPORAL_ADDRESS to use your own server`,
      );
    }
    log(`building Temporal's server ${version} and its sql tool with Go (one time; about 6 minutes on 2 cores, cached in ${dir} for every later start and clone)`);
    await goInstall(version, log);
    source = 'go install';
  }
  const schemaDir = schemaOr(cachedSchemaDir(version), `not in ${dir}`);
  return { server: path.join(dir, 'server'), sqlTool: path.join(dir, 'sql'), schemaDir, version, source };
}
