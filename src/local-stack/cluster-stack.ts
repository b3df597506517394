/**
 * The cluster profile (`npm run cluster`, src/cluster.ts; test/cluster/ starts it too): the product as
 * it runs when it outgrows one process per role —
 *   PostgreSQL   DATABASE_URL, or an embedded one (its data in <dataDir>/postgres)
 *   Temporal     its real server on that PostgreSQL (databases temporal and temporal_visibility),
 *                several history shards, frontend / history / matching / worker as separate processes
 *   the app      migrations, then N API replicas on consecutive ports and M workers, each its own process.
 * Nothing is shared between the app processes but PostgreSQL and Temporal.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AppConfig } from '../config/config';
import { runMigrations } from '../database/migrate';
import { writeWorkflowBundles } from '../worker/workflow-bundles';
import { RunningPostgres, startEmbeddedPostgres } from './embedded-postgres';
import { stopWithParent } from './orphan-guard';
import { localSecretsKey } from './secrets-key';
import { PostgresServer, RunningTemporalCluster, startTemporalCluster, type TemporalClusterOptions } from './temporal-cluster';
import { workerProcessEnv } from './worker-process-env';

export type AppEntry = 'main' | 'worker/worker';

export interface ClusterStackOptions {
  config: AppConfig;
  /** The environment every app process starts from (then DATABASE_URL, TEMPORAL_ADDRESS, SECRETS_KEY, PORT ... are set). */
  env: NodeJS.ProcessEnv;
  apiReplicas: number;
  workers: number;
  /** Holds postgres/ (embedded), temporal/ (generated configuration and logs). */
  dataDir: string;
  /** When DATABASE_URL is not set: a throwaway cluster (tests) or a persistent one. */
  embeddedPersistent?: boolean;
  /** The @embedded-postgres/<platform>-<arch> folder (tests: jest's realm cannot import the ESM package). */
  embeddedPackageDir?: string;
  /** Port of the first API replica; replica i listens on firstPort + i (and its SMTP ingress on the configured port + i). */
  firstPort?: number;
  temporal?: Partial<Omit<TemporalClusterOptions, 'postgres' | 'dir' | 'log'>>;
  /** How to run an app entry with node: e.g. dist/src/main.js; tests run the TypeScript sources. */
  nodeArgs: (entry: AppEntry) => string[];
  /** Prebuilt workflow bundles for the workers (TEMPORAL_WORKFLOW_BUNDLE_DIR); default: bundled once here, into <dataDir>/workflow-bundles. */
  workflowBundleDir?: string;
  /** Extra env for the children started this way (e.g. TS_NODE_PROJECT). */
  childEnv?: Record<string, string>;
  log?: (line: string) => void;
  /** Each output line of an app process. */
  output?: (name: string, line: string) => void;
  /** An app process ended without stop() having been called. */
  onUnexpectedExit?: (name: string, code: number | null, signal: NodeJS.Signals | null) => void;
}

export interface AppProcess {
  name: string;
  pid: number;
  exited: Promise<void>;
  hasExited(): boolean;
  /** Sends the signal by pid and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface ApiReplicaProcess extends AppProcess {
  url: string;
  port: number;
  smtpIngressPort: number | null;
}

export interface RunningClusterStack {
  databaseUrl: string;
  /** The embedded PostgreSQL (undefined with DATABASE_URL): fault tests halt and resume it. */
  postgres?: RunningPostgres;
  temporal: RunningTemporalCluster;
  apis: ApiReplicaProcess[];
  workers: AppProcess[];
  /** Starts one more worker process (e.g. after killing one); resolves once it polls. */
  addWorker(): Promise<AppProcess>;
  stop(): Promise<void>;
}

export function postgresServerOf(databaseUrl: string): PostgresServer {
  const url = new URL(databaseUrl);
  return {
    host: url.hostname || '127.0.0.1',
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username || 'postgres'),
    password: decodeURIComponent(url.password),
  };
}

const API_READY_MS = 120_000;
const WORKER_READY_MS = 180_000;

export async function startClusterStack(opts: ClusterStackOptions): Promise<RunningClusterStack> {
  const log = opts.log ?? (() => undefined);
  const { config } = opts;
  let postgres: RunningPostgres | undefined;
  let temporal: RunningTemporalCluster | undefined;
  const apps: AppProcess[] = [];
  let stopping = false;

  const stop = async () => {
    stopping = true;
    await Promise.all(apps.map((a) => a.kill('SIGTERM')));
    if (temporal) await temporal.stop().catch((err) => log(`Temporal stop: ${(err as Error).message}`));
    if (postgres) await postgres.stop().catch((err) => log(`PostgreSQL stop: ${(err as Error).message}`));
  };

  try {
    let databaseUrl = config.database.url;
    if (databaseUrl) log(`PostgreSQL: DATABASE_URL ${databaseUrl.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@')}`);
    else {
      const t = Date.now();
      postgres = await startEmbeddedPostgres({
        dataDir: path.join(opts.dataDir, 'postgres'),
        port: config.database.embeddedPort,
        database: 'cx',
        persistent: opts.embeddedPersistent ?? true,
        packageDir: opts.embeddedPackageDir,
        log: (line) => /initialising|PostgreSQL binaries|system user|cannot reach|FATAL|PANIC/.test(line) && log(`  ${line}`),
      });
      databaseUrl = postgres.url;
      log(`PostgreSQL: embedded on port ${config.database.embeddedPort} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
    }

    const migrated = await runMigrations(databaseUrl);
    log(`migrations: ${migrated.length ? `${migrated.length} applied` : 'up to date'}`);

    temporal = await startTemporalCluster({
      ...opts.temporal,
      dir: path.join(opts.dataDir, 'temporal'),
      postgres: postgresServerOf(databaseUrl),
      namespace: config.temporal.namespace,
      log,
    });

    const base: NodeJS.ProcessEnv = {
      ...opts.env,
      ...opts.childEnv,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporal.address,
      SECRETS_KEY: localSecretsKey(config, log),
    };

    const spawnApp = (name: string, entry: AppEntry, env: NodeJS.ProcessEnv, readyLine?: string): { proc: AppProcess; ready: Promise<void> } => {
      const child: ChildProcess = spawn(process.execPath, opts.nodeArgs(entry), { env, stdio: ['ignore', 'pipe', 'pipe'] });
      if (!child.pid) throw new Error(`${name} did not start`);
      stopWithParent(child.pid);
      let exited = false;
      let recent = '';
      let markReady: () => void = () => undefined;
      let failReady: (err: Error) => void = () => undefined;
      const ready = new Promise<void>((resolve, reject) => {
        markReady = resolve;
        failReady = reject;
      });
      // Awaited only for processes with a ready line; an exit after that is reported by onUnexpectedExit.
      ready.catch(() => undefined);
      const onOutput = (chunk: Buffer) => {
        const text = chunk.toString();
        recent = (recent + text).slice(-3000);
        for (const line of text.split('\n')) {
          if (!line.trim()) continue;
          opts.output?.(name, line);
          if (readyLine && line.includes(readyLine)) markReady();
        }
      };
      child.stdout!.on('data', onOutput);
      child.stderr!.on('data', onOutput);
      const exitedPromise = new Promise<void>((resolve) =>
        child.on('exit', (code, signal) => {
          exited = true;
          failReady(new Error(`${name} exited (${signal ?? `code ${code}`}) before it was ready: ${recent.trim().split('\n').slice(-5).join(' | ')}`));
          if (!stopping) opts.onUnexpectedExit?.(name, code, signal);
          resolve();
        }),
      );
      const proc: AppProcess = {
        name,
        pid: child.pid,
        exited: exitedPromise,
        hasExited: () => exited,
        async kill(signal: NodeJS.Signals = 'SIGTERM') {
          if (exited) return;
          process.kill(child.pid!, signal);
          const timer = setTimeout(() => !exited && child.kill('SIGKILL'), 20_000);
          await exitedPromise;
          clearTimeout(timer);
        },
      };
      apps.push(proc);
      return { proc, ready };
    };

    const within = (p: Promise<void>, ms: number, what: string) =>
      Promise.race([p, new Promise<void>((_, reject) => setTimeout(() => reject(new Error(`${what} not ready after ${ms / 1000} s`)), ms).unref())]);

    const firstPort = opts.firstPort ?? config.port;
    const ingress = config.smtpIngress.port;
    const apis: ApiReplicaProcess[] = [];
    const apiReady: Promise<void>[] = [];
    for (let i = 0; i < opts.apiReplicas; i++) {
      const port = firstPort + i;
      const smtpIngressPort = ingress === null ? null : ingress === 0 ? 0 : ingress + i;
      const name = `api-${i + 1}`;
      const { proc } = spawnApp(name, 'main', { ...base, PORT: String(port), SMTP_INGRESS_PORT: smtpIngressPort === null ? 'off' : String(smtpIngressPort) });
      const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
      apis.push({ ...proc, url, port, smtpIngressPort });
      apiReady.push(within(waitForHealth(url, proc), API_READY_MS, name));
    }
    let bundleDir = opts.workflowBundleDir;
    if (!bundleDir) {
      const t = Date.now();
      bundleDir = path.join(opts.dataDir, 'workflow-bundles');
      fs.mkdirSync(bundleDir, { recursive: true });
      await writeWorkflowBundles(bundleDir, (m) => log(`workflow bundle: ${m}`));
      log(`workflow bundles built once for every worker (${((Date.now() - t) / 1000).toFixed(1)} s)`);
    }
    let workerCount = 0;
    const addWorker = async (): Promise<AppProcess> => {
      workerCount += 1;
      const name = `worker-${workerCount}`;
      const { proc, ready } = spawnApp(name, 'worker/worker', workerProcessEnv({ ...base, SMTP_INGRESS_PORT: 'off', TEMPORAL_WORKFLOW_BUNDLE_DIR: bundleDir }), 'worker polling task queues');
      await within(ready, WORKER_READY_MS, name);
      return proc;
    };
    const workers = await Promise.all(Array.from({ length: opts.workers }, () => addWorker()));
    await Promise.all(apiReady);

    return {
      databaseUrl,
      postgres,
      temporal,
      apis,
      workers,
      async addWorker() {
        const proc = await addWorker();
        workers.push(proc);
        return proc;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function waitForHealth(url: string, proc: AppProcess): Promise<void> {
  let last = '';
  for (;;) {
    if (proc.hasExited()) throw new Error(`${proc.name} exited before it was healthy (${last})`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) return;
      last = `${res.status} ${(await res.text()).slice(0, 200)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
}
