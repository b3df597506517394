import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, type Options, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

/** One ORM configuration for the API, the worker, the migration step, tests and benchmarks. */
export function ormOptions(databaseUrl: string, overrides: Partial<Options> = {}): Options {
  return defineConfig({
    driver: PostgreSqlDriver,
    clientUrl: databaseUrl,
    entities: ENTITIES,
    discovery: { warnWhenNoEntities: true },
    extensions: [Migrator],
    migrations: {
      migrationsList: MIGRATIONS,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
    },
    pool: { min: 0, max: 10 },
    // The global EntityManager is never used for work: requests and activities fork their own.
    allowGlobalContext: false,
    // The database and its schema come from the stack and the migrations; start even while it is down
    // (/health reports it) instead of failing at boot.
    ensureDatabase: false,
    debug: false,
    ...overrides,
  });
}

