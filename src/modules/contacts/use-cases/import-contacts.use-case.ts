import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError, type FieldProblem } from '../../../common/domain-error';
import { APP_CONFIG, type ServiceConfig } from '../../../config/config';
import { AccessPolicy } from '../../auth/access-policy';
import type { Actor } from '../../auth/actor';
import { ConcurrencyLimit } from '../concurrency-limit';
import { ContactAttributeDefinition } from '../contact.entity';
import { CsvSyntaxError, parseCsv, unguardCell } from '../csv';
import type { ContactImportReportView, ContactImportRowView } from '../dto/contact.dto';
import { checkNewContact, inContactTransaction, insertNewContact, type NewContactFields } from '../new-contact';

/** Columns every import may have besides the account's custom attribute keys. */
export const IMPORT_BUILT_IN_COLUMNS = ['name', 'email', 'phone', 'tags', 'vip'] as const;
/** Imports at once: one per account, two per API process (fixed; each writes one row at a time). */
const IMPORTS_PER_ACCOUNT = 1;
const IMPORTS_PER_PROCESS = 2;
const RETRY_AFTER_SECONDS = 30;
const TRUE = new Set(['true', 'yes', '1']);
const FALSE = new Set(['false', 'no', '0', '']);

export interface ImportContactsInput {
  actor: Actor;
  /** Reads the CSV body (text/csv, at most CONTACT_IMPORT_MAX_BYTES); called after the role check. */
  csv: () => Promise<string>;
}

/**
 * Bulk import of contacts from CSV (administrators, like POST /contacts). The whole file is checked
 * first: CSV syntax, the header (every column a built-in one or a custom attribute key, none twice)
 * and CONTACT_IMPORT_MAX_ROWS — any of these is a 400 before anything is written. Then each row is
 * created in its own transaction with the checks and duplicate rule of POST /contacts, so a bad row
 * (invalid value, email or phone of an existing contact, including one created by an earlier row)
 * fails alone with nothing of it written, and never stops the good ones. The answer reports every
 * row by its line in the file.
 *
 * Cells: empty is "no value"; `tags` is a comma-separated list; `vip` true/false, yes/no, 1/0 or
 * empty (false); a leading single quote the export put before = + - @ TAB CR is taken off again.
 */
@Injectable()
export class ImportContactsUseCase {
  private readonly logger = new Logger(ImportContactsUseCase.name);
  private readonly slots: ConcurrencyLimit;

  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {
    this.slots = new ConcurrencyLimit(em, {
      kind: 'contact-import',
      what: ['contact import', 'contact imports'],
      perAccount: IMPORTS_PER_ACCOUNT,
      total: IMPORTS_PER_PROCESS,
      retryAfterSeconds: RETRY_AFTER_SECONDS,
    });
  }

  async execute(input: ImportContactsInput): Promise<ContactImportReportView> {
    const { actor } = input;
    this.access.requireAdmin(actor, 'importing contacts');
    const maxRows = this.config.contacts.importMaxRows;
    let parsed: ReturnType<typeof parseCsv>;
    const csv = await input.csv();
    try {
      parsed = parseCsv(csv, maxRows + 1);
    } catch (err) {
      if (err instanceof CsvSyntaxError) throw DomainError.invalid('body', `is not valid CSV: ${err.message}`);
      throw err;
    }
    if (parsed.truncated) throw DomainError.invalid('body', `has more than ${maxRows} rows (CONTACT_IMPORT_MAX_ROWS); split the file`);
    const [header, ...rows] = parsed.records;
    if (!header) throw DomainError.invalid('body', 'is empty: the first line names the columns (name, email, phone, tags, vip and custom attribute keys)');

    const definitions = await this.em.fork().find(ContactAttributeDefinition, { account: actor.accountId }, { orderBy: { position: 'asc', createdAt: 'asc', id: 'asc' } });
    const columns = this.checkHeader(header.fields, definitions);

    const release = await this.slots.acquire(actor.accountId);
    try {
      const report: ContactImportRowView[] = [];
      for (const row of rows) report.push(await this.importRow(actor, columns, definitions, row.line, row.fields));
      const created = report.filter((r) => r.status === 'created').length;
      return { created, failed: report.length - created, rows: report };
    } finally {
      await release();
    }
  }

  private checkHeader(cells: string[], definitions: ContactAttributeDefinition[]): string[] {
    const known = [...IMPORT_BUILT_IN_COLUMNS, ...definitions.map((d) => d.key)];
    const columns = cells.map((c) => c.trim());
    const problems: FieldProblem[] = [];
    const seen = new Set<string>();
    columns.forEach((column, i) => {
      if (!column) problems.push({ field: 'columns', problem: `column ${i + 1} has no name` });
      else if (!known.includes(column)) problems.push({ field: 'columns', problem: `unknown column "${column}" (known: ${known.join(', ')})` });
      else if (seen.has(column)) problems.push({ field: 'columns', problem: `column "${column}" appears twice` });
      seen.add(column);
    });
    if (problems.length > 0) {
      throw new DomainError('VALIDATION_FAILED', `columns: ${problems.map((p) => p.problem).join('; ')}; nothing was imported`, problems);
    }
    return columns;
  }

  private async importRow(
    actor: Actor,
    columns: string[],
    definitions: ContactAttributeDefinition[],
    line: number,
    cells: string[],
  ): Promise<ContactImportRowView> {
    const failed = (errors: FieldProblem[]): ContactImportRowView => ({ line, status: 'failed', errors });
    if (cells.length !== columns.length) {
      return failed([{ field: 'row', problem: `has ${cells.length} cells; the header has ${columns.length}` }]);
    }
    const fields: NewContactFields & { attributes: Record<string, string> } = { attributes: {} };
    const problems: FieldProblem[] = [];
    columns.forEach((column, i) => {
      const cell = unguardCell(cells[i]);
      if (column === 'name' || column === 'email' || column === 'phone') fields[column] = cell;
      else if (column === 'tags') fields.tags = cell.split(',').map((t) => t.trim()).filter(Boolean);
      else if (column === 'vip') {
        const v = cell.trim().toLowerCase();
        if (TRUE.has(v)) fields.vip = true;
        else if (FALSE.has(v)) fields.vip = false;
        else problems.push({ field: 'vip', problem: 'must be true or false (or yes/no, 1/0)' });
      } else fields.attributes[column] = cell;
    });
    const checked = checkNewContact(fields, definitions);
    problems.push(...checked.problems.map(asColumn));
    if (!checked.contact || problems.length > 0) return failed(problems);
    const contact = checked.contact;
    try {
      const contactId = await inContactTransaction(this.em, (tx) => insertNewContact(tx, actor.accountId, contact));
      return { line, status: 'created', contactId, errors: [] };
    } catch (err) {
      if (err instanceof DomainError) return failed(err.details.length ? err.details : [{ field: 'row', problem: err.message }]);
      this.logger.error(`contact import, line ${line}: ${(err as Error).stack ?? err}`);
      return failed([{ field: 'row', problem: 'could not be stored (internal error); nothing of this row was written' }]);
    }
  }
}

/** Problems name the CSV column: `attributes.tier` is the column `tier`. */
function asColumn(p: FieldProblem): FieldProblem {
  return p.field.startsWith('attributes.') ? { ...p, field: p.field.slice('attributes.'.length) } : p;
}
