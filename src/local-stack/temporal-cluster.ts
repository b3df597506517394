/**
 * Temporal's real server on PostgreSQL, as a production cluster runs it: its own two databases
 * (schema set up or upgraded by the release's `sql` tool at every start, idempotently), several
 * history shards, and frontend, history, matching and worker as four separate processes that find each
 * other through the membership table. Then the namespace and our search attributes. Used by
 * `npm run cluster` (src/cluster.ts) and test/cluster/.
 *
 * Generated into `<dir>`: config/cluster.yaml (the module's config/development-postgres12.yaml without
 * archival, metrics and pprof, with our ports, database and shard count; mode 0600, it holds the
 * database password), config/dynamicconfig.yaml (a copy of docker/temporal-dynamicconfig.yaml, the
 * file docker-compose.yml mounts) and logs/<service>.log.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Client as PgClient } from 'pg';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { ALL_SEARCH_ATTRIBUTES } from '../../workflows/contracts/search-attributes';
import { freePort } from './free-port';
import { stopWithParent } from './orphan-guard';
import { resolveTemporalServer, type ResolvedTemporalServer, type ResolveTemporalServerOptions } from './temporal-server';

export const TEMPORAL_SERVICES = ['history', 'matching', 'frontend', 'worker'] as const;
export type TemporalService = (typeof TEMPORAL_SERVICES)[number];

/** The dynamic config of every Temporal server this project runs outside the dev server (compose mounts it too). */
export const DYNAMIC_CONFIG_FILE = [path.join(__dirname, '..', '..'), path.join(__dirname, '..', '..', '..')]
  .map((root) => path.join(root, 'docker', 'temporal-dynamicconfig.yaml'))
  .find((file) => fs.existsSync(file)) ?? path.join(__dirname, '..', '..', 'docker', 'temporal-dynamicconfig.yaml');
/** docker-compose.yml's default too (TEMPORAL_HISTORY_SHARDS; test/unit/docker-compose.spec.ts keeps them equal). */
export const DEFAULT_HISTORY_SHARDS = 4;
/** The namespace's retention, as docker-compose.yml's temporal-setup registers it (1 day). */
const NAMESPACE_RETENTION_SECONDS = 24 * 3600;

export interface ServicePorts {
  grpc: number;
  membership: number;
}

export interface ClusterPorts {
  frontend: ServicePorts & { http: number };
  history: ServicePorts;
  matching: ServicePorts;
  worker: ServicePorts;
}

export interface PostgresServer {
  host: string;
  port: number;
  user: string;
  password: string;
}

export interface TemporalClusterOptions {
  /** Where the generated configuration and the logs live (created when missing). */
  dir: string;
  postgres: PostgresServer;
  /** Temporal's two databases on that server, created when missing. */
  databases?: { main: string; visibility: string };
  /** Fixed when the main database is first set up: the server refuses to start on a different count later. */
  historyShards?: number;
  namespace?: string;
  /** The frontend's gRPC port (what TEMPORAL_ADDRESS points at); 0 or undefined: a free one. */
  frontendPort?: number;
  /** The other ports: `offsets` puts them next to the frontend port as the release's own configuration does
   * (frontend 7233, history 7234, matching 7235, worker 7239, membership 6933..6939, HTTP 7243);
   * `free` picks free ones (tests). */
  portLayout?: 'offsets' | 'free';
  /** Server log level in logs/<service>.log. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  binaries?: ResolveTemporalServerOptions;
  log?: (line: string) => void;
  readyTimeoutSeconds?: number;
}

export interface RunningTemporalCluster {
  address: string;
  namespace: string;
  historyShards: number;
  server: ResolvedTemporalServer;
  ports: ClusterPorts;
  /** One per service. */
  processes: Record<TemporalService, { pid: number }>;
  /**
   * Kills one service's process (SIGKILL, by its pid) and starts it again with the same configuration
   * and ports, after `downMs` (default 0) without it (fault tests).
   */
  restartService(service: TemporalService, opts?: { downMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

/** cluster_membership.rpc_port is a smallint. */
const MAX_MEMBERSHIP_PORT = 32767;

/** A port below `max` (and above 10000) that was free a moment ago on 127.0.0.1. */
async function freePortBelow(max: number): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 10000 + Math.floor(Math.random() * (max - 10000));
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port below ${max} found`);
}

export async function clusterPorts(layout: 'offsets' | 'free', frontendPort: number | undefined): Promise<ClusterPorts> {
  if (layout === 'free') {
    const p = async () => freePort();
    // The membership table stores ports as smallint: a port from the ephemeral range (above 32767)
    // makes every service exit at start ("value ... is out of range for type smallint").
    const m = async () => freePortBelow(MAX_MEMBERSHIP_PORT);
    return {
      frontend: { grpc: frontendPort || (await p()), membership: await m(), http: await p() },
      history: { grpc: await p(), membership: await m() },
      matching: { grpc: await p(), membership: await m() },
      worker: { grpc: await p(), membership: await m() },
    };
  }
  const f = frontendPort || 7233;
  if (f < 1324 || f - 294 > MAX_MEMBERSHIP_PORT || f + 10 > 65535) {
    throw new Error(`frontend port ${f}: the offsets layout puts the membership ports at ${f - 300}..${f - 294}, which must be 1024..${MAX_MEMBERSHIP_PORT}`);
  }
  return {
    frontend: { grpc: f, membership: f - 300, http: f + 10 },
    history: { grpc: f + 1, membership: f - 299 },
    matching: { grpc: f + 2, membership: f - 298 },
    worker: { grpc: f + 6, membership: f - 294 },
  };
}

const q = (value: string | number) => JSON.stringify(String(value));

/** config/cluster.yaml: development-postgres12.yaml of the release, without archival, metrics and pprof. */
export function clusterConfigYaml(opts: {
  postgres: PostgresServer;
  databases: { main: string; visibility: string };
  historyShards: number;
  ports: ClusterPorts;
  dynamicConfigFile: string;
  logLevel: string;
}): string {
  const { postgres: pg, ports } = opts;
  const store = (database: string, conns: number) => `      sql:
        pluginName: "postgres12"
        databaseName: ${q(database)}
        connectAddr: ${q(`${pg.host}:${pg.port}`)}
        connectProtocol: "tcp"
        user: ${q(pg.user)}
        password: ${q(pg.password)}
        maxConns: ${conns}
        maxIdleConns: ${conns}
        maxConnLifetime: "1h"`;
  const service = (name: TemporalService) => {
    const p = ports[name] as ServicePorts & { http?: number };
    return `  ${name}:
    rpc:
      grpcPort: ${p.grpc}
      membershipPort: ${p.membership}
      bindOnLocalHost: true${p.http ? `\n      httpPort: ${p.http}` : ''}`;
  };
  const frontend = `127.0.0.1:${ports.frontend.grpc}`;
  return `# Generated at every start by src/local-stack/temporal-cluster.ts; edits are overwritten.
log:
  stdout: true
  level: ${opts.logLevel}

persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: ${opts.historyShards}
  datastores:
    postgres-default:
${store(opts.databases.main, 10)}
    postgres-visibility:
${store(opts.databases.visibility, 4)}

global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"

services:
${TEMPORAL_SERVICES.map(service).join('\n')}

clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: ${q(frontend)}

dcRedirectionPolicy:
  policy: "noop"

publicClient:
  hostPort: ${q(frontend)}

dynamicConfigClient:
  filepath: ${q(opts.dynamicConfigFile)}
  pollInterval: "10s"
`;
}

function run(program: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

const tail = (text: string, lines = 5) => text.trim().split('\n').slice(-lines).join('\n    ');

/**
 * Creates Temporal's databases when missing, then sets up the schema of a fresh one (`setup-schema -v 0.0`)
 * and upgrades every one to the release's version (`update-schema`, which applies only what is newer).
 * Returns what it did per database.
 */
export async function prepareTemporalDatabases(
  server: ResolvedTemporalServer,
  pg: PostgresServer,
  databases: { main: string; visibility: string },
): Promise<string[]> {
  const admin = new PgClient({ host: pg.host, port: pg.port, user: pg.user, password: pg.password, database: 'postgres' });
  const done: string[] = [];
  await admin.connect();
  try {
    for (const db of [databases.main, databases.visibility]) {
      const exists = await admin.query('select 1 from pg_database where datname = $1', [db]);
      if (exists.rowCount === 0) {
        try {
          await admin.query(`create database "${db.replace(/"/g, '""')}"`);
        } catch (err) {
          // Another start may have created it a moment ago.
          if ((err as { code?: string }).code !== '42P04') {
            throw new Error(`could not create Temporal's database ${db} (${(err as Error).message}); create it yourself (owned by ${pg.user}), or give ${pg.user} CREATEDB`);
          }
        }
        done.push(`${db}: created`);
      }
    }
  } finally {
    await admin.end();
  }
  for (const [db, kind] of [[databases.main, 'temporal'], [databases.visibility, 'visibility']] as const) {
    const env = { ...process.env, SQL_HOST: pg.host, SQL_PORT: String(pg.port), SQL_USER: pg.user, SQL_PASSWORD: pg.password, SQL_DATABASE: db };
    const client = new PgClient({ host: pg.host, port: pg.port, user: pg.user, password: pg.password, database: db });
    await client.connect();
    let current: string | null;
    try {
      const found = await client.query<{ t: string | null }>(`select to_regclass('schema_version')::text as t`);
      current = found.rows[0].t ? ((await client.query<{ v: string }>('select curr_version as v from schema_version limit 1')).rows[0]?.v ?? null) : null;
    } finally {
      await client.end();
    }
    if (current === null) {
      const setup = await run(server.sqlTool, ['--plugin', 'postgres12', 'setup-schema', '-v', '0.0'], env);
      if (setup.code !== 0) throw new Error(`sql setup-schema of ${db} failed (exit ${setup.code}):\n    ${tail(setup.output)}`);
    }
    const update = await run(server.sqlTool, ['--plugin', 'postgres12', 'update-schema', '-d', path.join(server.schemaDir, kind, 'versioned')], env);
    if (update.code !== 0) throw new Error(`sql update-schema of ${db} failed (exit ${update.code}):\n    ${tail(update.output)}`);
    const after = new PgClient({ host: pg.host, port: pg.port, user: pg.user, password: pg.password, database: db });
    await after.connect();
    try {
      const v = (await after.query<{ v: string }>('select curr_version as v from schema_version limit 1')).rows[0].v;
      done.push(current === null ? `${db}: schema set up, version ${v}` : current === v ? `${db}: schema ${v}, up to date` : `${db}: schema upgraded ${current} -> ${v}`);
    } finally {
      await after.end();
    }
  }
  return done;
}

/** Waits until the cluster metadata row exists (the first service to start writes it). */
async function waitForClusterMetadata(pg: PostgresServer, database: string, exited: () => boolean, logDir: string): Promise<void> {
  const client = new PgClient({ host: pg.host, port: pg.port, user: pg.user, password: pg.password, database });
  await client.connect();
  try {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if ((await client.query('select 1 from cluster_metadata_info limit 1')).rowCount) return;
      if (exited()) throw new Error(`Temporal's history service exited before it wrote the cluster metadata (log: ${path.join(logDir, 'history.log')})`);
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`Temporal's history service did not write the cluster metadata within 60 s (log: ${path.join(logDir, 'history.log')})`);
  } finally {
    await client.end();
  }
}

interface ServiceProcess {
  child: ChildProcess;
  exited: Promise<void>;
  hasExited: () => boolean;
  recent: string[];
}

const INDEXED_TYPES: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  TEXT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  INT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  DOUBLE: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  BOOL: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  DATETIME: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  KEYWORD_LIST: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

const grpcCode = (err: unknown) => (err as { code?: number }).code;
const ALREADY_EXISTS = 6;

/**
 * The namespace (registered when missing) with our search attributes (added when missing), retried
 * until the cluster answers: right after a start the frontend may not see history and matching yet.
 */
async function ensureNamespace(address: string, namespace: string, deadline: number, isAlive: () => string | undefined): Promise<void> {
  let lastError = '';
  while (Date.now() < deadline) {
    const dead = isAlive();
    if (dead) throw new Error(dead);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService
          .registerNamespace({ namespace, workflowExecutionRetentionPeriod: { seconds: NAMESPACE_RETENTION_SECONDS as never } } /* protobufjs takes a number for a Long */)
          .catch((err) => {
            if (grpcCode(err) !== ALREADY_EXISTS) throw err;
          });
        await connection.workflowService.describeNamespace({ namespace });
        const listed = await connection.operatorService.listSearchAttributes({ namespace });
        const missing = ALL_SEARCH_ATTRIBUTES.filter((a) => !(a.name in (listed.customAttributes ?? {})));
        if (missing.length) {
          await connection.operatorService
            .addSearchAttributes({ namespace, searchAttributes: Object.fromEntries(missing.map((a) => [a.name, INDEXED_TYPES[a.type]])) })
            .catch((err) => {
              if (grpcCode(err) !== ALREADY_EXISTS) throw err;
            });
          continue;
        }
        // History takes the namespace and the attributes once a start with them goes through (it
        // validates the attributes): start a workflow that no worker will run, then remove it.
        const workflowId = `cluster-readiness-${process.pid}-${Date.now()}`;
        await connection.workflowService.startWorkflowExecution({
          namespace,
          workflowId,
          workflowType: { name: 'clusterReadiness' },
          taskQueue: { name: 'cluster-readiness' },
          requestId: workflowId,
          searchAttributes: { indexedFields: Object.fromEntries(ALL_SEARCH_ATTRIBUTES.filter((a) => a.type === 'KEYWORD').map((a) => [a.name, { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('"readiness"') }])) },
        });
        await connection.workflowService.terminateWorkflowExecution({ namespace, workflowExecution: { workflowId }, reason: 'readiness check' });
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = (err as Error).message;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  throw new Error(`Temporal's cluster at ${address} did not become ready: ${lastError}`);
}

export async function startTemporalCluster(opts: TemporalClusterOptions): Promise<RunningTemporalCluster> {
  const log = opts.log ?? (() => undefined);
  const namespace = opts.namespace ?? 'default';
  const historyShards = opts.historyShards ?? DEFAULT_HISTORY_SHARDS;
  const databases = opts.databases ?? { main: 'temporal', visibility: 'temporal_visibility' };
  const server = await resolveTemporalServer({ ...opts.binaries, log });
  log(`Temporal server ${server.version}: ${server.source} -> ${server.server}`);

  const prepared = Date.now();
  for (const line of await prepareTemporalDatabases(server, opts.postgres, databases)) log(line);
  log(`Temporal databases ready (${((Date.now() - prepared) / 1000).toFixed(1)} s)`);

  const ports = await clusterPorts(opts.portLayout ?? 'offsets', opts.frontendPort);
  const configDir = path.join(opts.dir, 'config');
  const logDir = path.join(opts.dir, 'logs');
  fs.mkdirSync(configDir, { recursive: true });
  fs.mkdirSync(logDir, { recursive: true });
  const dynamicConfigFile = path.join(configDir, 'dynamicconfig.yaml');
  fs.copyFileSync(DYNAMIC_CONFIG_FILE, dynamicConfigFile);
  const configFile = path.join(configDir, 'cluster.yaml');
  fs.rmSync(configFile, { force: true });
  fs.writeFileSync(configFile, clusterConfigYaml({ postgres: opts.postgres, databases, historyShards, ports, dynamicConfigFile, logLevel: opts.logLevel ?? 'warn' }), { mode: 0o600 });

  const processes = {} as Record<TemporalService, ServiceProcess>;
  let stopping = false;
  const startService = (service: TemporalService): ServiceProcess => {
    const logFile = fs.createWriteStream(path.join(logDir, `${service}.log`), { flags: 'a' });
    const child = spawn(server.server, ['--root', opts.dir, '--config', 'config', '--env', 'cluster', '--allow-no-auth', 'start', '--service', service], {
      cwd: opts.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    stopWithParent(child.pid);
    const recent: string[] = [];
    const onOutput = (chunk: Buffer) => {
      logFile.write(chunk);
      for (const line of chunk.toString().split('\n')) {
        if (!line.trim()) continue;
        recent.push(line);
        if (recent.length > 20) recent.shift();
        if (!stopping && /"level":"(error|fatal|panic)"|\blevel=(error|fatal)/i.test(line) && !/shard status unknown|Unable to get namespace|Not enough hosts|not healthy yet/i.test(line)) log(`[temporal ${service}] ${line.slice(0, 500)}`);
      }
    };
    child.stdout!.on('data', onOutput);
    child.stderr!.on('data', onOutput);
    let exited = false;
    const exitedPromise = new Promise<void>((resolve) =>
      child.on('exit', (code, signal) => {
        exited = true;
        logFile.end();
        if (!stopping) log(`Temporal ${service} exited (${signal ?? `code ${code}`}): ${tail(recent.join('\n'), 3)}`);
        resolve();
      }),
    );
    return { child, exited: exitedPromise, hasExited: () => exited, recent };
  };
  const stopAll = async () => {
    stopping = true;
    // The worker service and the frontend first, then matching, then history (its shards are released last).
    for (const group of [['worker', 'frontend'], ['matching'], ['history']] as TemporalService[][]) {
      await Promise.all(
        group.map(async (service) => {
          const p = processes[service] as ServiceProcess | undefined;
          if (!p || p.hasExited()) return;
          p.child.kill('SIGTERM');
          const timer = setTimeout(() => !p.hasExited() && p.child.kill('SIGKILL'), 10_000);
          await p.exited;
          clearTimeout(timer);
        }),
      );
    }
  };

  // On a fresh database each service would write the cluster metadata at start, and all but one fail
  // on the duplicate key and exit: history goes first and the others follow once the row is there.
  processes.history = startService('history');
  try {
    await waitForClusterMetadata(opts.postgres, databases.main, () => processes.history.hasExited(), logDir);
  } catch (err) {
    await stopAll();
    throw err;
  }
  for (const service of TEMPORAL_SERVICES) if (service !== 'history') processes[service] = startService(service);

  const address = `127.0.0.1:${ports.frontend.grpc}`;
  const started = Date.now();
  try {
    await ensureNamespace(address, namespace, started + (opts.readyTimeoutSeconds ?? 90) * 1000, () => {
      const dead = TEMPORAL_SERVICES.find((s) => processes[s].hasExited());
      return dead ? `Temporal's ${dead} service exited before the cluster was ready: ${tail(processes[dead].recent.join('\n'))} (log: ${path.join(logDir, `${dead}.log`)})` : undefined;
    });
  } catch (err) {
    await stopAll();
    throw new Error(`${(err as Error).message}\n    (are the ports taken? frontend ${ports.frontend.grpc}; logs in ${logDir})`);
  }
  log(`Temporal cluster ready at ${address} (${((Date.now() - started) / 1000).toFixed(1)} s; ${historyShards} history shards; namespace ${namespace})`);

  return {
    address,
    namespace,
    historyShards,
    server,
    ports,
    get processes() {
      return Object.fromEntries(TEMPORAL_SERVICES.map((s) => [s, { pid: processes[s].child.pid! }])) as Record<TemporalService, { pid: number }>;
    },
    async restartService(service, restart = {}) {
      const p = processes[service];
      if (!p.hasExited()) {
        process.kill(p.child.pid!, 'SIGKILL');
        await p.exited;
      }
      if (restart.downMs) await new Promise((r) => setTimeout(r, restart.downMs));
      processes[service] = startService(service);
    },
    stop: stopAll,
  };
}
