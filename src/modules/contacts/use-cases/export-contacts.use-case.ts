import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { AccessPolicy } from '../../auth/access-policy';
import type { Actor } from '../../auth/actor';
import { ContactAttributeDefinition } from '../contact.entity';
import { contactFilterSql, type ContactFilter } from './list-contacts.use-case';

/** Rows fetched from the database cursor at a time; memory stays bounded by this, not the account size. */
export const EXPORT_BATCH = 1000;

const BUILT_IN: Record<string, string> = {
  id: 'c.id::text',
  name: 'c.name',
  email: 'c.email',
  phone: 'c.phone',
  vip: `case when c.vip then 'true' else 'false' end`,
  spam: `case when c.spam then 'true' else 'false' end`,
  createdAt: `to_char(c.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
};
const DEFAULT_BUILT_IN = ['name', 'email', 'phone', 'vip'];

export interface ExportPlan {
  columns: string[];
  header: boolean;
  sql: string;
  params: unknown[];
}

/** One CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF; quotes doubled. */
export function csvField(value: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

const csvLine = (values: (string | null)[]) => `${values.map(csvField).join(',')}\r\n`;

/**
 * CSV export of contact attributes (administrators). Validation happens in plan() before anything is
 * sent; run() then reads the contacts through a server-side cursor (DECLARE ... FETCH 1000 inside one
 * read transaction) and hands each batch to `write`, which waits while the client is slow.
 */
@Injectable()
export class ExportContactsUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
  ) {}

  async plan(actor: Actor, input: ContactFilter & { attributes?: string; header?: boolean }): Promise<ExportPlan> {
    this.access.requireAdmin(actor, 'exporting contacts');
    const em = this.em.fork();
    const definitions = await em.find(ContactAttributeDefinition, { account: actor.accountId }, { orderBy: { position: 'asc', createdAt: 'asc', id: 'asc' } });
    const customKeys = new Set(definitions.map((d) => d.key));
    const columns =
      input.attributes === undefined
        ? [...DEFAULT_BUILT_IN, ...definitions.map((d) => d.key)]
        : input.attributes.split(',').map((a) => a.trim());
    const seen = new Set<string>();
    const selects: string[] = [];
    const selectParams: unknown[] = [];
    for (const column of columns) {
      if (!column) throw DomainError.invalid('attributes', 'has an empty entry');
      if (seen.has(column)) throw DomainError.invalid('attributes', `lists "${column}" twice`);
      seen.add(column);
      if (BUILT_IN[column]) {
        selects.push(`${BUILT_IN[column]} as c${selects.length}`);
      } else if (customKeys.has(column)) {
        selects.push(`c.attributes ->> ? as c${selects.length}`);
        selectParams.push(column);
      } else {
        throw DomainError.invalid(
          'attributes',
          `unknown attribute "${column}" (known: ${[...Object.keys(BUILT_IN), ...customKeys].join(', ')})`,
        );
      }
    }
    if (columns.length === 0) throw DomainError.invalid('attributes', 'must list at least one attribute');
    const filter = await contactFilterSql(actor, input, this.access, em);
    if (!filter) throw new Error('administrators see every contact');
    return {
      columns,
      header: input.header ?? true,
      sql: `select ${selects.join(', ')} from contacts c where ${filter.where} order by c.created_at, c.id`,
      params: [...selectParams, ...filter.params],
    };
  }

  /** Streams the CSV; `write` resolves when the chunk may be followed by the next one. */
  async run(plan: ExportPlan, write: (chunk: string) => Promise<void>, aborted: () => boolean): Promise<{ rows: number }> {
    let rows = 0;
    if (plan.header) await write(csvLine(plan.columns));
    await this.em.fork().transactional(async (tx) => {
      await tx.execute(`declare contacts_export no scroll cursor for ${plan.sql}`, plan.params);
      for (;;) {
        if (aborted()) throw new ExportAborted();
        const batch = await tx.execute<Record<string, string | null>[]>(`fetch forward ${EXPORT_BATCH} from contacts_export`);
        if (batch.length === 0) break;
        let chunk = '';
        for (const row of batch) {
          const values: (string | null)[] = [];
          for (let i = 0; i < plan.columns.length; i++) values.push(row[`c${i}`]);
          chunk += csvLine(values);
        }
        rows += batch.length;
        await write(chunk);
      }
      await tx.execute('close contacts_export');
    });
    return { rows };
  }
}

/** The client went away mid-export; the read transaction (and its cursor) is rolled back. */
export class ExportAborted extends Error {
  constructor() {
    super('the client closed the connection during the export');
  }
}
