import { MikroORM } from '@mikro-orm/postgresql';
import { ConfigError, loadConfig } from '../config/config';
import { ormOptions } from './mikro-orm.config';

/**
 * Applies pending migrations under a Postgres advisory lock, so several processes starting at
 * once (API replicas, test workers) never run the same migration twice.
 */
export async function runMigrations(databaseUrl: string, log: (line: string) => void = () => undefined): Promise<string[]> {
  const orm = await MikroORM.init(ormOptions(databaseUrl, { pool: { min: 0, max: 2 } }));
  try {
    const em = orm.em.fork();
    const conn = em.getConnection();
    return await conn.transactional(async (trx) => {
      await conn.execute('select pg_advisory_xact_lock(7233001)', [], 'all', trx);
      const applied = await orm.getMigrator().up({ transaction: trx } as never);
      for (const m of applied) log(`migration applied: ${m.name}`);
      return applied.map((m) => m.name);
    });
  } finally {
    await orm.close(true);
  }
}

if (require.main === module) {
  // The URL comes through the typed configuration like everywhere else: a malformed one stops here with the variable named.
  let url: string;
  try {
    const { database } = loadConfig();
    if (!database.url) throw new ConfigError('DATABASE_URL', 'is required to run migrations (a postgres:// URL)');
    url = database.url;
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : String(err));
    process.exit(1);
  }
  runMigrations(url, (l) => console.log(l))
    .then((names) => console.log(`migrations: ${names.length} applied`))
    .catch((err) => {
      console.error(`migrations failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    });
}
