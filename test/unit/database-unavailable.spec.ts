import type { ArgumentsHost } from '@nestjs/common';
import { DriverException, UniqueConstraintViolationException } from '@mikro-orm/core';
import { Client } from 'pg';
import { DomainError } from '../../src/common/domain-error';
import { HttpErrorFilter } from '../../src/common/http-error.filter';
import { databaseUnavailableCause } from '../../src/database/database-unavailable';
import { freePort } from '../../src/local-stack/free-port';

/** What the filter answers for `error`: status, headers and body. */
function answer(error: unknown): { status: number; headers: Record<string, string>; body: { code: string; message: string } } {
  const out = { status: 0, headers: {} as Record<string, string>, body: undefined as unknown as { code: string; message: string } };
  const res = {
    setHeader: (k: string, v: string) => (out.headers[k.toLowerCase()] = v),
    status(s: number) {
      out.status = s;
      return this;
    },
    json: (b: { code: string; message: string }) => (out.body = b),
  };
  const host = { switchToHttp: () => ({ getResponse: () => res }) } as unknown as ArgumentsHost;
  const filter = new HttpErrorFilter();
  (filter as unknown as { logger: { warn: () => void; error: () => void } }).logger = { warn: () => undefined, error: () => undefined };
  filter.catch(error, host);
  return out;
}

test('a refused connection (a real one, to a closed port) is DATABASE_UNAVAILABLE: 503 with Retry-After', async () => {
  const client = new Client({ host: '127.0.0.1', port: await freePort(), user: 'x', database: 'x', connectionTimeoutMillis: 2000 });
  const err = await client.connect().then(() => undefined, (e: unknown) => e);
  expect(databaseUnavailableCause(err)).toBe('connection refused');
  // As MikroORM wraps it (its exceptions copy the driver error's properties).
  expect(databaseUnavailableCause(new DriverException(err as Error))).toBe('connection refused');
  const a = answer(new DriverException(err as Error));
  expect(a.status).toBe(503);
  expect(a.headers['retry-after']).toMatch(/^\d+$/);
  expect(a.body.code).toBe('DATABASE_UNAVAILABLE');
  expect(a.body.message).toMatch(/^the database is unreachable \(connection refused\); .* try again in \d+ s$/);
});

test.each([
  [{ code: '57P01', message: 'terminating connection due to administrator command' }, 'connection terminated by the server'],
  [{ code: '57P03', message: 'the database system is starting up' }, 'the database is starting up or shutting down'],
  [{ code: '08006', message: 'connection failure' }, 'connection lost (SQLSTATE 08006)'],
  [new Error('Connection terminated unexpectedly'), 'connection terminated'],
  [new Error('Client has encountered a connection error and is not queryable'), 'connection failed'],
  [Object.assign(new Error('Knex: Timeout acquiring a connection. The pool is probably full.'), { name: 'KnexTimeoutError' }), 'no connection from the pool in time'],
  [new DriverException(new Error('Transaction query already complete, run with DEBUG=knex:tx for more info')), "the transaction's connection was lost"],
  [Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), 'connection failed (ECONNRESET)'],
  [Object.assign(new Error('wrapped'), { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5'), { code: 'ECONNREFUSED' }) }), 'connection refused'],
])('%p is the database being unreachable: %s', (error, cause) => {
  const e = error instanceof Error ? error : Object.assign(new Error(error.message), error);
  expect(databaseUnavailableCause(e)).toBe(cause);
  expect(answer(e)).toMatchObject({ status: 503, body: { code: 'DATABASE_UNAVAILABLE' } });
});

test('statement errors, domain errors and crashes are not', () => {
  const unique = new UniqueConstraintViolationException(Object.assign(new Error('duplicate key value violates unique constraint "users_email_unique"'), { code: '23505' }));
  expect(databaseUnavailableCause(unique)).toBeUndefined();
  expect(databaseUnavailableCause(Object.assign(new Error('syntax error at or near "selec"'), { code: '42601' }))).toBeUndefined();
  expect(databaseUnavailableCause(new TypeError('x is undefined'))).toBeUndefined();
  expect(answer(new TypeError('x is undefined'))).toMatchObject({ status: 500, headers: {}, body: { code: 'INTERNAL' } });
  expect(answer(DomainError.invalid('name', 'must not be empty'))).toMatchObject({ status: 400, headers: {}, body: { code: 'VALIDATION_FAILED' } });
});

test('every 503 carries Retry-After: an unreachable Temporal too', () => {
  const a = answer(new DomainError('DEPENDENCY_UNAVAILABLE', 'Temporal unreachable'));
  expect(a.status).toBe(503);
  expect(a.headers['retry-after']).toMatch(/^\d+$/);
  expect(a.body.code).toBe('DEPENDENCY_UNAVAILABLE');
  // A Temporal client call that reached no frontend (the SDK's ServiceError over gRPC UNAVAILABLE).
  const grpc = Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14, details: 'No connection established' });
  const serviceError = Object.assign(new Error('Failed to signalWithStart Workflow: 14 UNAVAILABLE'), { name: 'ServiceError', cause: grpc });
  expect(answer(serviceError)).toMatchObject({ status: 503, body: { code: 'DEPENDENCY_UNAVAILABLE' } });
  expect(answer(serviceError).headers['retry-after']).toMatch(/^\d+$/);
});
