/**
 * A local Temporal dev server (`temporal server start-dev`), with our search attributes registered,
 * persisted to a SQLite file when one is given. Used by `npm start` when TEMPORAL_ADDRESS is not set,
 * and by the test setup.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Connection } from '@temporalio/client';
import { ALL_SEARCH_ATTRIBUTES } from '../../workflows/contracts/search-attributes';
import { stopWithParent } from './orphan-guard';
import { resolveTemporalCli, ResolvedTemporalCli } from './temporal-cli';

export interface TemporalDevServerOptions {
  port: number;
  /** 0 or undefined: no UI. */
  uiPort?: number;
  /** SQLite file; undefined keeps everything in memory. */
  dbFile?: string;
  namespace?: string;
  cliPath?: string;
  /** Trade durability for speed (tests). */
  fastSqlite?: boolean;
  log?: (line: string) => void;
  /** Seconds to wait for the frontend to answer. */
  readyTimeoutSeconds?: number;
  /** More dynamic config values (tests: e.g. `limit.historyCount.suggestContinueAsNew`). */
  dynamicConfig?: Record<string, string | number | boolean>;
}

export interface RunningTemporal {
  address: string;
  uiUrl?: string;
  cli: ResolvedTemporalCli;
  pid?: number;
  stop(): Promise<void>;
}

const TYPE_NAMES: Record<string, string> = {
  KEYWORD: 'Keyword',
  TEXT: 'Text',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

export function devServerArgs(opts: TemporalDevServerOptions): string[] {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(opts.port), '--log-level', 'warn'];
  if (opts.uiPort) args.push('--ui-port', String(opts.uiPort));
  else args.push('--headless');
  if (opts.dbFile) args.push('--db-filename', opts.dbFile);
  if (opts.namespace && opts.namespace !== 'default') args.push('--namespace', opts.namespace);
  for (const key of ALL_SEARCH_ATTRIBUTES) args.push('--search-attribute', `${key.name}=${TYPE_NAMES[key.type]}`);
  args.push('--dynamic-config-value', 'frontend.enableExecuteMultiOperation=true');
  for (const [key, value] of Object.entries(opts.dynamicConfig ?? {})) args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  args.push('--sqlite-pragma', 'journal_mode=WAL');
  if (opts.fastSqlite) args.push('--sqlite-pragma', 'synchronous=OFF');
  return args;
}

export async function waitForTemporal(address: string, namespace: string, timeoutSeconds: number, isAlive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  let lastError = '';
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`Temporal dev server exited before it was ready${lastError ? `: ${lastError}` : ''}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = (err as Error).message;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`Temporal dev server at ${address} did not become ready in ${timeoutSeconds} s: ${lastError}`);
}

export async function startTemporalDevServer(opts: TemporalDevServerOptions): Promise<RunningTemporal> {
  const log = opts.log ?? (() => undefined);
  const namespace = opts.namespace ?? 'default';
  const address = `127.0.0.1:${opts.port}`;
  const cli = await resolveTemporalCli({ cliPath: opts.cliPath, log });
  log(`Temporal CLI: ${cli.source} -> ${cli.detail}`);
  if (opts.dbFile) fs.mkdirSync(path.dirname(opts.dbFile), { recursive: true });

  if (!cli.path) return startThroughSdkDownload(opts, cli, address, log);

  const child: ChildProcess = spawn(cli.path, devServerArgs(opts), { stdio: ['ignore', 'pipe', 'pipe'] });
  stopWithParent(child.pid);
  const recent: string[] = [];
  const onOutput = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (!line.trim()) continue;
      recent.push(line);
      if (recent.length > 20) recent.shift();
      log(`[temporal] ${line}`);
    }
  };
  child.stdout!.on('data', onOutput);
  child.stderr!.on('data', onOutput);
  let exited = false;
  const exitPromise = new Promise<void>((resolve) =>
    child.on('exit', () => {
      exited = true;
      resolve();
    }),
  );
  try {
    await waitForTemporal(address, namespace, opts.readyTimeoutSeconds ?? 60, () => !exited);
  } catch (err) {
    if (!exited) child.kill('SIGKILL');
    const tail = recent.slice(-5).join('\n    ');
    throw new Error(`${(err as Error).message}${tail ? `\n    ${tail}` : ''}\n    (is port ${opts.port} taken? set TEMPORAL_DEV_PORT, or TEMPORAL_ADDRESS to use another server)`);
  }

  return {
    address,
    uiUrl: opts.uiPort ? `http://127.0.0.1:${opts.uiPort}` : undefined,
    cli,
    pid: child.pid,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => !exited && child.kill('SIGKILL'), 10_000);
      await exitPromise;
      clearTimeout(timer);
    },
  };
}

/**
 * For throwaway servers (tests, benchmarks): starts on a port from `pickPort`, and when the server
 * exits before it is ready (its internal ports sit next to the frontend port and can collide with a
 * port another process just took) tries again on a new port, up to `attempts` times.
 */
export async function startTemporalDevServerOnFreePort(
  opts: Omit<TemporalDevServerOptions, 'port'>,
  pickPort: () => Promise<number>,
  attempts = 3,
): Promise<RunningTemporal> {
  for (let attempt = 1; ; attempt++) {
    const port = await pickPort();
    try {
      return await startTemporalDevServer({ ...opts, port });
    } catch (err) {
      if (attempt >= attempts) throw err;
      opts.log?.(`Temporal dev server on port ${port} did not start (${(err as Error).message.split('\n')[0]}); trying another port`);
    }
  }
}

/** Last resort on machines with internet access: the SDK downloads a CLI build and runs it. */
async function startThroughSdkDownload(
  opts: TemporalDevServerOptions,
  cli: ResolvedTemporalCli,
  address: string,
  log: (line: string) => void,
): Promise<RunningTemporal> {
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  try {
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        ip: '127.0.0.1',
        port: opts.port,
        ui: Boolean(opts.uiPort),
        uiPort: opts.uiPort || undefined,
        dbFilename: opts.dbFile,
        namespace: opts.namespace,
        searchAttributes: [...ALL_SEARCH_ATTRIBUTES],
        extraArgs: ['--dynamic-config-value', 'frontend.enableExecuteMultiOperation=true'],
      },
    });
    log('Temporal CLI downloaded by @temporalio/testing');
    return {
      address,
      uiUrl: opts.uiPort ? `http://127.0.0.1:${opts.uiPort}` : undefined,
      cli,
      stop: () => env.teardown(),
    };
  } catch (err) {
    throw new Error(
      'No Temporal server available: TEMPORAL_ADDRESS is not set, no temporal binary was found ' +
        '(TEMPORAL_CLI_PATH, PATH, ~/.cache/cx-platform), Go could not build one, and the ' +
        `@temporalio/testing download failed (${(err as Error).message}). Install Go and run ` +
        '"npm run temporal:cli", or set TEMPORAL_CLI_PATH or TEMPORAL_ADDRESS.',
    );
  }
}
