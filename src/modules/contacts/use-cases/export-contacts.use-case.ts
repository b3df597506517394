import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { cursorKeySql, cursorTimeSql } from '../../../common/keyset-cursor';
import { APP_CONFIG, type ServiceConfig } from '../../../config/config';
import { AccessPolicy } from '../../auth/access-policy';
import type { Actor } from '../../auth/actor';
import { ConcurrencyLimit } from '../concurrency-limit';
import { ContactAttributeDefinition } from '../contact.entity';
import { csvLine } from '../csv';
import { contactFilterSql, type ContactFilter } from './list-contacts.use-case';

/** Contacts read per page: one short query each, so memory stays bounded by this, not the account size. */
export const EXPORT_PAGE_SIZE = 1000;
/** Retry-After of a refused export: exports of a few hundred thousand contacts take seconds. */
const RETRY_AFTER_SECONDS = 10;

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

export interface ExportContactsInput extends ContactFilter {
  actor: Actor;
  /** Comma-separated columns in order; default name,email,phone,vip and every custom attribute by position. */
  attributes?: string;
  /** false: no header row. */
  header?: boolean;
}

/**
 * The export's CSV, chunk by chunk (the header, then one chunk per page). It holds one of the
 * export slots until close(), which the caller calls when it is done with the response (also after
 * an error or a client that went away); iterating holds no database connection between pages.
 */
export interface ContactCsvExport extends AsyncIterable<string> {
  readonly columns: string[];
  /** Frees the slot (idempotent). */
  close(): Promise<void>;
}

/**
 * CSV export of contact attributes (administrators; hidden attributes included, as administrators
 * see them). Everything that can be refused (role, columns, filter, the concurrency limits) is
 * refused by execute() before the first byte. The rows then come in keyset pages in (created_at, id)
 * order, each page its own short query outside any transaction: a client that reads slowly (or not
 * at all) delays only its own next page and never holds a pool connection or a transaction. A
 * contact created during the export appears when it sorts after the current page; one deleted
 * before its page is read is left out.
 *
 * At most EXPORT_MAX_CONCURRENT_PER_ACCOUNT exports per account and EXPORT_MAX_CONCURRENT in the
 * process run at once (429 with Retry-After beyond); the controller disconnects a client that takes
 * no data for EXPORT_WRITE_TIMEOUT_SECONDS, which frees its slot.
 */
@Injectable()
export class ExportContactsUseCase {
  private readonly slots: ConcurrencyLimit;

  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
    @Inject(APP_CONFIG) config: ServiceConfig,
  ) {
    this.slots = new ConcurrencyLimit(em, {
      kind: 'contact-export',
      what: ['contact export', 'contact exports'],
      perAccount: config.contacts.exportMaxConcurrentPerAccount,
      perAccountSetting: 'EXPORT_MAX_CONCURRENT_PER_ACCOUNT',
      total: config.contacts.exportMaxConcurrent,
      totalSetting: 'EXPORT_MAX_CONCURRENT',
      retryAfterSeconds: RETRY_AFTER_SECONDS,
    });
  }

  async execute(input: ExportContactsInput): Promise<ContactCsvExport> {
    const { actor } = input;
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
    const release = await this.slots.acquire(actor.accountId);

    const page = (after: { micros: string; id: string } | null) =>
      em.execute<(Record<string, string | null> & { page_id: string; page_key: string })[]>(
        `select ${selects.join(', ')}, c.id as page_id, ${cursorKeySql('c.created_at')} as page_key
         from contacts c
         where ${filter.where}${after ? ` and c.created_at >= ${cursorTimeSql} and (c.created_at, c.id) > (${cursorTimeSql}, ?::uuid)` : ''}
         order by c.created_at, c.id
         limit ${EXPORT_PAGE_SIZE}`,
        [...selectParams, ...filter.params, ...(after ? [after.micros, after.micros, after.id] : [])],
      );
    const header = input.header ?? true;
    async function* chunks(): AsyncGenerator<string> {
      if (header) yield csvLine(columns);
      let after: { micros: string; id: string } | null = null;
      for (;;) {
        const rows = await page(after);
        if (rows.length === 0) return;
        let chunk = '';
        for (const row of rows) {
          const values: (string | null)[] = [];
          for (let i = 0; i < columns.length; i++) values.push(row[`c${i}`]);
          chunk += csvLine(values);
        }
        yield chunk;
        if (rows.length < EXPORT_PAGE_SIZE) return;
        const last = rows[rows.length - 1];
        after = { micros: last.page_key, id: last.page_id };
      }
    }
    return { columns, [Symbol.asyncIterator]: chunks, close: release };
  }
}
