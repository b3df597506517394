/**
 * Migrations upgrade a database that already holds data (not only empty ones), and leave the schema
 * exactly as the entities describe it.
 */
import { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { ormOptions } from '../../src/database/mikro-orm.config';
import { MIGRATIONS } from '../../src/database/migrations';

const name = `cx_migrations_${Date.now()}`;
const base = new URL(process.env.DATABASE_URL!);
const url = (() => {
  const u = new URL(base.toString());
  u.pathname = `/${name}`;
  return u.toString();
})();

async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: base.toString() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

beforeAll(() => admin((c) => c.query(`create database "${name}"`)));
afterAll(() => admin((c) => c.query(`drop database if exists "${name}" with (force)`)));

test('every later migration applies over rows written under the first one, and the schema matches the entities', async () => {
  const orm = await MikroORM.init(ormOptions(url, { pool: { min: 0, max: 2 } }));
  try {
    const migrator = orm.getMigrator();
    await migrator.up({ to: MIGRATIONS[0].name });
    const conn = orm.em.fork().getConnection();
    await conn.execute(`insert into accounts (id, name) values ('11111111-1111-4111-8111-111111111111', 'Old')`);
    await conn.execute(
      `insert into inboxes (id, account_id, name, channel_type, welcome_message)
       values ('22222222-2222-4222-8222-222222222222', '11111111-1111-4111-8111-111111111111', 'Old inbox', 'api', 'hi')`,
    );
    await conn.execute(`insert into contacts (id, account_id) values ('33333333-3333-4333-8333-333333333333', '11111111-1111-4111-8111-111111111111')`);
    await conn.execute(
      `insert into contact_identities (id, account_id, contact_id, channel_type, address)
       values (gen_random_uuid(), '11111111-1111-4111-8111-111111111111', '33333333-3333-4333-8333-333333333333', 'api', 'old-1')`,
    );

    const applied = await migrator.up();
    expect(applied.map((m) => m.name)).toEqual(MIGRATIONS.slice(1).map((m) => m.name));

    const [account] = await conn.execute(`select settings from accounts`);
    expect(account.settings).toMatchObject({ allowMoveBetweenInboxes: false, matchingAttribute: 'email', optOut: { enabled: true } });
    const [inbox] = await conn.execute(`select settings from inboxes`);
    expect(inbox.settings).toMatchObject({ assignmentMode: 'assignment', autoUnassign: { enabled: true, graceSeconds: 120 } });

    // The entities and the migrated schema agree (nothing left for a new migration to do).
    const diff = await orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false });
    expect(diff.trim()).toBe('');
  } finally {
    await orm.close(true);
  }
});
