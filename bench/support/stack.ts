/**
 * The services a bench measures, started on this machine and stopped in reverse order when it ends
 * (whether it finished or failed half-way): a throwaway embedded PostgreSQL (fsync off) with the
 * migrations applied, a Temporal dev server (SQLite with fast pragmas, or in memory) on a free port
 * or Temporal's real server as the cluster profile runs it (on that PostgreSQL, several history
 * shards, one process per service), the workflow bundles, and the API in this process. Each bench starts the parts it needs, in its
 * own order, and registers its own extra teardown with `defer`. Everything lives in one temporary
 * folder, removed at the end.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Client, Connection } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import { createApiApp } from '../../src/app.factory';
import { loadConfig, requireServices, type ServiceConfig } from '../../src/config/config';
import { runMigrations } from '../../src/database/migrate';
import { startEmbeddedPostgres } from '../../src/local-stack/embedded-postgres';
import { freePort } from '../../src/local-stack/free-port';
import { postgresServerOf } from '../../src/local-stack/cluster-stack';
import { DEFAULT_HISTORY_SHARDS, type RunningTemporalCluster, startTemporalCluster } from '../../src/local-stack/temporal-cluster';
import { type RunningTemporal, startTemporalDevServerOnFreePort } from '../../src/local-stack/temporal-dev-server';
import type { WorkflowBundles } from '../../src/worker/worker.factory';
import { writeWorkflowBundles } from '../../src/worker/workflow-bundles';
import { log } from './run';

export interface RunningApi {
  app: INestApplication;
  /** http://127.0.0.1:<port> */
  base: string;
  config: ServiceConfig;
}

export class BenchStack {
  /** The run's temporary folder (PostgreSQL, Temporal's SQLite file or the cluster's configuration and logs, bundles, compiled tree). */
  readonly tmp: string;
  private readonly stops: Array<{ what: string; stop: () => Promise<unknown> }> = [];
  private databaseUrlValue?: string;
  private temporalServer?: RunningTemporal;
  private temporalClusterValue?: RunningTemporalCluster;
  private postmasterPid?: number;

  constructor(name: string) {
    this.tmp = fs.mkdtempSync(path.join(os.tmpdir(), `cx-bench-${name}-`));
  }

  get databaseUrl(): string {
    if (!this.databaseUrlValue) throw new Error('no database yet: startPostgres or useDatabase first');
    return this.databaseUrlValue;
  }

  get temporal(): RunningTemporal {
    if (!this.temporalServer) throw new Error('no Temporal dev server: startTemporal first');
    return this.temporalServer;
  }

  get temporalCluster(): RunningTemporalCluster {
    if (!this.temporalClusterValue) throw new Error('no Temporal cluster: startTemporalCluster first');
    return this.temporalClusterValue;
  }

  /** The frontend of whichever Temporal this stack started. */
  get temporalAddress(): string {
    const address = this.temporalServer?.address ?? this.temporalClusterValue?.address;
    if (!address) throw new Error('no Temporal server yet: startTemporal or startTemporalCluster first');
    return address;
  }

  /** Runs `stop` when the bench ends, before whatever was started earlier. */
  defer(what: string, stop: () => Promise<unknown>): void {
    this.stops.push({ what, stop });
  }

  /**
   * A throwaway embedded PostgreSQL on a free port, migrated. `countStatements`: with
   * pg_stat_statements loaded, so the bench can count the product's statements (statement-count.ts).
   */
  async startPostgres(opts: { countStatements?: boolean } = {}): Promise<string> {
    const port = await freePort();
    const settings = opts.countStatements ? { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'top', 'pg_stat_statements.track_utility': 'on', 'pg_stat_statements.track_planning': 'on' } : undefined;
    const pg = await startEmbeddedPostgres({ dataDir: this.postgresDataDir, port, database: 'cx_bench', persistent: false, settings });
    this.postmasterPid = pg.pid;
    this.defer('PostgreSQL', () => pg.stop());
    log(`PostgreSQL on ${port}`);
    return this.useDatabase(pg.url);
  }

  /** A database the bench was given (e.g. DATABASE_URL) instead of its own; migrated. */
  async useDatabase(url: string): Promise<string> {
    await runMigrations(url);
    this.databaseUrlValue = url;
    return url;
  }

  /** The embedded PostgreSQL's postmaster, whose tree holds every backend. */
  postgresPid(): number {
    if (this.postmasterPid === undefined) throw new Error('no embedded PostgreSQL: startPostgres first');
    return this.postmasterPid;
  }

  /** A Temporal dev server on a free port: its state in a SQLite file (WAL, synchronous=OFF), or in memory. */
  async startTemporal(opts: { inMemory?: boolean } = {}): Promise<RunningTemporal> {
    const server = await startTemporalDevServerOnFreePort(
      {
        dbFile: opts.inMemory ? undefined : path.join(this.tmp, 'temporal', 'temporal.sqlite'),
        fastSqlite: true,
        cliPath: process.env.TEMPORAL_CLI_PATH,
        log: (line) => (line.startsWith('[temporal]') ? undefined : log(line)),
      },
      freePort,
    );
    this.defer('Temporal', () => server.stop());
    this.temporalServer = server;
    log(`Temporal dev server ${server.address} (${opts.inMemory ? 'in memory' : 'SQLite file'})`);
    return server;
  }

  /**
   * Temporal's real server on this stack's embedded PostgreSQL (its own databases temporal and
   * temporal_visibility there), as the cluster profile and TEST_TEMPORAL=cluster start it: frontend,
   * history, matching and worker as four processes, `historyShards` shards (4), free ports, the
   * namespace `default` and the product's search attributes. Needs the server built
   * (`npm run temporal:server`); the bench never builds it.
   */
  async startTemporalCluster(opts: { historyShards?: number } = {}): Promise<RunningTemporalCluster> {
    const cluster = await startTemporalCluster({
      dir: path.join(this.tmp, 'temporal-cluster'),
      postgres: postgresServerOf(this.databaseUrl),
      historyShards: opts.historyShards ?? DEFAULT_HISTORY_SHARDS,
      portLayout: 'free',
      binaries: { serverPath: process.env.TEMPORAL_SERVER_PATH, sqlToolPath: process.env.TEMPORAL_SQL_TOOL_PATH, schemaDir: process.env.TEMPORAL_SCHEMA_DIR, allowBuild: false },
      log,
    });
    this.defer('Temporal cluster', () => cluster.stop());
    this.temporalClusterValue = cluster;
    log(`Temporal cluster ${cluster.address} (${cluster.server.version}, ${cluster.historyShards} history shards; pids ${JSON.stringify(cluster.processes)})`);
    return cluster;
  }

  /** The product's workflow bundles, one per task queue, in the temporary folder (bundling costs seconds). */
  workflowBundles(): Promise<WorkflowBundles> {
    return writeWorkflowBundles(this.tmp, log);
  }

  /** The environment of the product's processes on this stack: its database and Temporal server, plus `extra`. */
  serviceEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      DATABASE_URL: this.databaseUrl,
      ...(this.temporalServer || this.temporalClusterValue ? { TEMPORAL_ADDRESS: this.temporalAddress, TEMPORAL_NAMESPACE: 'default' } : {}),
      // The API's SMTP ingress on a free port: several bench APIs (and a developer's npm start) may run at once.
      SMTP_INGRESS_PORT: '0',
      ...extra,
    };
  }

  /** The API in this process on a free port of 127.0.0.1, configured from `env` as `npm run start:api` would be. */
  async startApi(env: NodeJS.ProcessEnv): Promise<RunningApi> {
    const config = requireServices(loadConfig(env));
    const app = await createApiApp(config);
    await app.listen(0, '127.0.0.1');
    this.defer('API', () => app.close());
    return { app, base: (await app.getUrl()).replace('[::1]', '127.0.0.1'), config };
  }

  /** A Temporal client of the bench's own (to read histories and count workflows). */
  async temporalClient(): Promise<Client> {
    const connection = await Connection.connect({ address: this.temporalAddress });
    this.defer('Temporal client', () => connection.close());
    return new Client({ connection, namespace: 'default' });
  }

  /** A plain pg client of the bench's own, to read the record. */
  async database(opts: { user?: string; password?: string } = {}): Promise<PgClient> {
    const url = new URL(this.databaseUrl);
    if (opts.user) {
      url.username = opts.user;
      url.password = opts.password ?? '';
    }
    const db = new PgClient({ connectionString: url.toString() });
    await db.connect();
    this.defer('bench database client', () => db.end());
    return db;
  }

  /** Stops everything in reverse order of start; a part that fails to stop is logged and the rest still stop. */
  async stop(): Promise<void> {
    for (const { what, stop } of this.stops.splice(0).reverse()) {
      await stop().catch((err: unknown) => log(`stopping ${what}: ${(err as Error).message}`));
    }
    fs.rmSync(this.tmp, { recursive: true, force: true });
  }

  private get postgresDataDir(): string {
    return path.join(this.tmp, 'postgres');
  }
}
