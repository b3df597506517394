import type { Configuration, LogContext } from '@mikro-orm/core';
import { AbstractSqlDriver, PostgreSqlConnection, PostgreSqlPlatform } from '@mikro-orm/postgresql';

/**
 * Database errors without the values of the statement.
 *
 * MikroORM writes every parameter into the SQL text before sending it (platform.formatQuery), knex
 * puts that text in front of the error message, and PostgreSQL's detail repeats the failing row
 * ("Failing row contains (...)") or key. So a failed insert put a user's password hash, a sealed
 * channel secret or a customer's message into our logs (the HTTP filter's and the worker's) and into
 * Temporal's history (activity failures carry the message). Here the connection swaps that text for
 * the statement as written, with `?` for each value, and takes the values out of the detail:
 *
 *   insert into "users" ("id", "email", "password_hash") values (?, ?, ?) - null value in column ...
 *    - detail: Failing row contains (values withheld).
 *
 * PostgreSQL's own message (which names the column, constraint or type) is kept as it is.
 */

/** The detail without values: which key or row, never what was in it. */
export function detailWithoutValues(detail: string): string {
  if (/^Failing row contains /.test(detail)) return 'Failing row contains (values withheld).';
  // "Key (email)=(a@b.c) already exists." / "Key (team_id)=(...) is not present in table "teams"."
  const key = /^Key \((.*?)\)=\(.*\)( [^()]*)$/s.exec(detail);
  if (key) return `Key (${key[1]})=(values withheld)${key[2]}`;
  return '(withheld: it may contain values)';
}

interface PgError extends Error {
  detail?: string;
}

/** Rewrites a driver error that came from running `formatted` (the SQL with its values) so it shows `statement` instead. */
export function withoutValues(error: unknown, statement: string, formatted: string): unknown {
  if (!(error instanceof Error)) return error;
  const e = error as PgError;
  const prefix = `${formatted} - `;
  if (e.message.startsWith(prefix)) {
    e.message = `${statement} - ${e.message.slice(prefix.length)}`;
  } else if (formatted && e.message.includes(formatted)) {
    e.message = e.message.split(formatted).join(statement);
  } else if (e.message.includes(' - ')) {
    // knex altered the text on its way (e.g. "\\?"): keep only what follows it, PostgreSQL's message.
    e.message = `${statement} - ${e.message.slice(e.message.lastIndexOf(' - ') + 3)}`;
  }
  if (typeof e.detail === 'string' && e.detail.trim()) e.detail = detailWithoutValues(e.detail);
  return e;
}

/** PostgreSQL's connection, failing with errors that name the statement but not its values. */
export class ValuesFreeErrorsConnection extends PostgreSqlConnection {
  protected override async executeQuery<T>(query: string, cb: () => Promise<T>, context?: LogContext): Promise<T> {
    try {
      return await super.executeQuery(query, cb, context);
    } catch (error) {
      const statement = typeof context?.query === 'string' ? context.query : query;
      const params = Array.isArray(context?.params) ? context.params : [];
      throw withoutValues(error, statement, this.platform.formatQuery(statement, params));
    }
  }
}

/**
 * MikroORM's PostgreSqlDriver (which is exactly this: the SQL driver with PostgreSQL's platform and
 * connection) with the connection above; errors still become MikroORM's exceptions
 * (UniqueConstraintViolationException, ...) in driver.convertException, with the message rewritten.
 */
export class ValuesFreeErrorsPostgreSqlDriver extends AbstractSqlDriver<ValuesFreeErrorsConnection, PostgreSqlPlatform> {
  constructor(config: Configuration) {
    super(config, new PostgreSqlPlatform(), ValuesFreeErrorsConnection, ['knex', 'pg']);
  }
}
