/**
 * npm run migration:create -- <name>
 * Applies the checked-in migrations to a throwaway embedded PostgreSQL, diffs the entities against
 * it and writes the difference as a new migration under src/database/migrations (add it to index.ts).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import { startEmbeddedPostgres } from '../src/local-stack/embedded-postgres';
import { ormOptions } from '../src/database/mikro-orm.config';
import { runMigrations } from '../src/database/migrate';

async function main(): Promise<void> {
  const name = process.argv[2];
  if (!name || !/^[a-z0-9_]+$/.test(name)) throw new Error('usage: npm run migration:create -- <snake_case_name>');
  const pg = await startEmbeddedPostgres({
    dataDir: path.join(os.tmpdir(), `cx-migration-${process.pid}`, 'cluster'),
    port: 54400 + (process.pid % 500),
    database: 'cx',
    persistent: false,
  });
  try {
    await runMigrations(pg.url);
    const dir = path.resolve(__dirname, '../src/database/migrations');
    const orm = await MikroORM.init(ormOptions(pg.url, { migrations: { path: dir, pathTs: dir, snapshot: false, emit: 'ts' } }));
    const result = await orm.getMigrator().createMigration(dir, false, false, name);
    console.log(result.fileName ? `written: src/database/migrations/${result.fileName}` : 'no schema difference');
    await orm.close();
  } finally {
    await pg.stop();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
