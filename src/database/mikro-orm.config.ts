import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, type Options } from '@mikro-orm/postgresql';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { ValuesFreeErrorsPostgreSqlDriver } from './values-free-errors';

/** Connections per pool unless the caller says otherwise (DATABASE_POOL_SIZE, see config.ts). */
export const DEFAULT_POOL_SIZE = 10;

/**
 * One ORM configuration for the API, the worker, the migration step, tests and benchmarks.
 * `poolSize` is DATABASE_POOL_SIZE for the API and the worker (each process has its own pool).
 */
export function ormOptions(databaseUrl: string, overrides: Partial<Options> = {}, poolSize = DEFAULT_POOL_SIZE): Options {
  return defineConfig({
    // PostgreSqlDriver whose errors name the statement without its values (values-free-errors.ts).
    driver: ValuesFreeErrorsPostgreSqlDriver,
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
    pool: { min: 0, max: poolSize },
    // The global EntityManager is never used for work: requests and activities fork their own.
    allowGlobalContext: false,
    // The database and its schema come from the stack and the migrations; start even while it is down
    // (/health reports it) instead of failing at boot.
    ensureDatabase: false,
    // Query logging off: with it, MikroORM would log each statement (with its values when
    // 'query-params' is on). Failed statements reach the logs through the error, without values.
    debug: false,
    ...overrides,
  });
}

