import { Body, Controller, Delete, Get, HttpCode, Inject, Logger, Param, Patch, Post, Put, Query, Req, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiErrors } from '../../common/api-errors';
import { DomainError } from '../../common/domain-error';
import { uuidParam } from '../../common/validation';
import { type Actor, CurrentActor } from '../auth/actor';
import { CHANNEL_TYPES } from '../inboxes/inbox.entity';
import {
  ContactImportReportView,
  ContactPageView,
  CreateContactDto,
  ContactView,
  DeletedContactPageView,
  DeletedContactsQuery,
  ExportContactsQuery,
  ListContactsQuery,
  MergeContactDto,
  UpdateContactDto,
} from './dto/contact.dto';
import { CreateContactUseCase } from './use-cases/create-contact.use-case';
import { DeleteContactUseCase } from './use-cases/delete-contact.use-case';
import { ImportContactsUseCase } from './use-cases/import-contacts.use-case';
import { type ContactCsvExport, ExportContactsUseCase } from './use-cases/export-contacts.use-case';
import { TooManyRunning } from './concurrency-limit';
import { APP_CONFIG, type ServiceConfig } from '../../config/config';
import { GetContactUseCase } from './use-cases/get-contact.use-case';
import { ListContactsUseCase } from './use-cases/list-contacts.use-case';
import { ListDeletedContactsUseCase } from './use-cases/list-deleted-contacts.use-case';
import { MERGE_RULE, MergeContactsUseCase } from './use-cases/merge-contacts.use-case';
import { SetFavouriteUseCase } from './use-cases/set-favourite.use-case';
import { SetOptOutUseCase } from './use-cases/set-opt-out.use-case';
import { UpdateContactUseCase } from './use-cases/update-contact.use-case';

/**
 * Writes one chunk with backpressure: true once the client took it (or it fit in the buffers),
 * false when the client went away or took nothing for `deadlineMs`.
 */
function writeWithin(res: Response, chunk: string, deadlineMs: number): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  if (res.write(chunk)) return Promise.resolve(true);
  return waitFor(res, 'drain', deadlineMs);
}

/** Ends the response; false when the client did not take the rest within `deadlineMs` (or went away). */
function endWithin(res: Response, deadlineMs: number): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  const finished = waitFor(res, 'finish', deadlineMs);
  res.end();
  return finished;
}

function waitFor(res: Response, event: 'drain' | 'finish', deadlineMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      res.off(event, onEvent);
      res.off('close', onClose);
      resolve(ok);
    };
    const onEvent = () => done(true);
    const onClose = () => done(event === 'finish' && res.writableFinished);
    const timer = setTimeout(() => done(false), deadlineMs);
    res.on(event, onEvent);
    res.on('close', onClose);
  });
}

/**
 * The text/csv body of an import, at most `maxBytes`: 400 naming content-type for another type, 413
 * beyond the limit (the rest is not read; the connection closes after the answer), 400 when not UTF-8.
 */
async function readCsvBody(req: Request, res: Response, maxBytes: number): Promise<string> {
  if (!req.is('text/csv')) {
    throw DomainError.invalid('content-type', `must be text/csv (got ${req.headers['content-type'] ? `"${req.headers['content-type']}"` : 'none'})`);
  }
  const tooLarge = () => {
    res.setHeader('connection', 'close');
    return new DomainError('PAYLOAD_TOO_LARGE', `body: larger than ${maxBytes} bytes (CONTACT_IMPORT_MAX_BYTES); split the file`, [
      { field: 'body', problem: `larger than ${maxBytes} bytes` },
    ]);
  };
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw DomainError.invalid('body', 'is not UTF-8 text');
  }
}

const VISIBILITY =
  'Administrators see every contact of the account; other users a contact with a conversation in one of their inboxes ' +
  '(403 otherwise). Contacts of other accounts: 404.';

@ApiTags('contacts')
@Controller('api/v1')
export class ContactsController {
  private readonly logger = new Logger(ContactsController.name);

  constructor(
    private readonly listContacts: ListContactsUseCase,
    private readonly getContact: GetContactUseCase,
    private readonly updateContact: UpdateContactUseCase,
    private readonly setFavourite: SetFavouriteUseCase,
    private readonly setOptOut: SetOptOutUseCase,
    private readonly mergeContacts: MergeContactsUseCase,
    private readonly deleteContact: DeleteContactUseCase,
    private readonly listDeleted: ListDeletedContactsUseCase,
    private readonly exportContacts: ExportContactsUseCase,
    private readonly createContact: CreateContactUseCase,
    private readonly importContacts: ImportContactsUseCase,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  @Get('contacts')
  @ApiOperation({ summary: 'Contacts the caller sees, newest first', description: VISIBILITY })
  @ApiOkResponse({ type: ContactPageView })
  list(@CurrentActor() actor: Actor, @Query() query: ListContactsQuery): Promise<ContactPageView> {
    return this.listContacts.execute({ ...query, actor });
  }

  // Declared before contacts/:id so that the id route does not take "export.csv".
  @Get('contacts/export.csv')
  @ApiOperation({
    summary: 'Export contact attributes as CSV (administrators)',
    description:
      'Streamed, oldest contact first, one header row (unless header=false); RFC 4180 quoting. Cells starting with ' +
      '= + - @ TAB or CR get a leading single quote so spreadsheets do not run them as formulas (the import takes it off). ' +
      'At most EXPORT_MAX_CONCURRENT_PER_ACCOUNT exports per account and EXPORT_MAX_CONCURRENT per server run at once ' +
      '(429 with Retry-After beyond); a client that takes no data for EXPORT_WRITE_TIMEOUT_SECONDS is disconnected.',
  })
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'CSV', schema: { type: 'string' } })
  @ApiErrors({ FORBIDDEN: 'Needs the account administrator role', RATE_LIMITED: 'Too many exports running; Retry-After says when to try again' })
  async exportCsv(@CurrentActor() actor: Actor, @Query() query: ExportContactsQuery, @Res() res: Response): Promise<void> {
    let csv: ContactCsvExport;
    try {
      csv = await this.exportContacts.execute({ ...query, actor });
    } catch (err) {
      if (err instanceof TooManyRunning) res.setHeader('retry-after', String(err.retryAfterSeconds));
      throw err;
    }
    try {
      res.status(200);
      res.setHeader('content-type', 'text/csv; charset=utf-8');
      res.setHeader('content-disposition', 'attachment; filename="contacts.csv"');
      const deadlineMs = this.config.contacts.exportWriteTimeoutSeconds * 1000;
      for await (const chunk of csv) {
        if (!(await writeWithin(res, chunk, deadlineMs))) return this.drop(res, 'took no data');
      }
      if (!(await endWithin(res, deadlineMs))) return this.drop(res, 'did not take the end of the export');
    } catch (err) {
      this.logger.error(`contact export failed: ${(err as Error).stack ?? err}`);
      res.destroy();
    } finally {
      await csv.close();
    }
  }

  /** A client that stopped reading: reset the connection, which also frees the kernel's send buffer at once. */
  private drop(res: Response, what: string): void {
    if (res.destroyed) return;
    this.logger.warn(`contact export: the client ${what} for ${this.config.contacts.exportWriteTimeoutSeconds} s (EXPORT_WRITE_TIMEOUT_SECONDS); disconnected`);
    res.socket?.resetAndDestroy();
    res.destroy();
  }

  @Post('contacts')
  @ApiOperation({
    summary: 'Create a contact (administrators)',
    description:
      'Name, email, phone, VIP flag, tags and custom attribute values; at least one of name, email and phone. Every invalid field is ' +
      'named in one 400. The email (case-insensitive) and the phone (digits compared) must not belong to another contact of the ' +
      'account: 409 naming the field, with the existing contact in `details[].contactId`. The email becomes an email identity and a ' +
      'phone in E.164 form an sms identity, so mail or SMS from that person lands on this contact. Managers and agents cannot ' +
      'create contacts: they see contacts through conversations of their inboxes only.',
  })
  @ApiCreatedResponse({ type: ContactView })
  @ApiErrors({ FORBIDDEN: 'Needs the account administrator role', CONFLICT: 'The email or phone belongs to another contact (details name the field and the contact)' })
  create(@CurrentActor() actor: Actor, @Body() body: CreateContactDto): Promise<ContactView> {
    return this.createContact.execute({ ...body, actor });
  }

  @Post('contacts/import')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Import contacts from CSV (administrators)',
    description:
      'Body: text/csv, UTF-8, at most CONTACT_IMPORT_MAX_BYTES (5 MB; 413 beyond) and CONTACT_IMPORT_MAX_ROWS data rows (5,000). ' +
      'The first line names the columns: name, email, phone, tags (comma-separated), vip (true/false, yes/no, 1/0) and custom ' +
      'attribute keys, in any order and subset. An unknown or repeated column, broken CSV or too many rows is a 400 before ' +
      'anything is written. Each row is then created in its own transaction with the checks of POST /contacts: a failed row ' +
      '(invalid value, email or phone of an existing contact or of an earlier row) writes nothing and never stops the others. ' +
      'Empty cells are no value; a leading quote before = + - @ (as the export writes it) is taken off. One import per account ' +
      'at a time (429 with Retry-After).',
  })
  @ApiConsumes('text/csv')
  @ApiBody({ schema: { type: 'string', example: 'name,email,phone,tags,vip,customer_tier\r\nJane Doe,jane@example.com,+4915123456789,"newsletter,trial",true,Gold\r\n' } })
  @ApiOkResponse({ type: ContactImportReportView, description: 'One entry per data row' })
  @ApiErrors({
    FORBIDDEN: 'Needs the account administrator role',
    VALIDATION_FAILED: 'Not text/csv, not UTF-8, broken CSV, an unknown or repeated column, or more than CONTACT_IMPORT_MAX_ROWS rows',
    PAYLOAD_TOO_LARGE: 'The file is larger than CONTACT_IMPORT_MAX_BYTES',
    RATE_LIMITED: 'An import of the account is running; Retry-After says when to try again',
  })
  async import(@CurrentActor() actor: Actor, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<ContactImportReportView> {
    try {
      return await this.importContacts.execute({ actor, csv: () => readCsvBody(req, res, this.config.contacts.importMaxBytes) });
    } catch (err) {
      if (err instanceof TooManyRunning) res.setHeader('retry-after', String(err.retryAfterSeconds));
      throw err;
    }
  }

  @Get('contacts/:id')
  @ApiOperation({ summary: 'A contact with identities, attributes, opt-outs and favourite flag', description: VISIBILITY })
  @ApiOkResponse({ type: ContactView })
  @ApiErrors({ FORBIDDEN: 'The contact has no conversation in an inbox of the caller (administrators see every contact)' })
  get(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<ContactView> {
    return this.getContact.execute({ actor, contactId: id });
  }

  @Patch('contacts/:id')
  @ApiOperation({
    summary: 'Change name, email, phone, VIP flag, tags and custom attribute values',
    description:
      'Platform attributes are read-only. Values are checked against the attribute definitions. `tags` replaces the whole set ' +
      '(normalised like conversation tags; 400 naming `tags` or `tags[i]`). ' +
      VISIBILITY,
  })
  @ApiOkResponse({ type: ContactView })
  @ApiErrors({ FORBIDDEN: 'The contact has no conversation in an inbox of the caller (administrators see every contact)' })
  update(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string, @Body() body: UpdateContactDto): Promise<ContactView> {
    return this.updateContact.execute({ ...body, actor, contactId: id });
  }

  @Delete('contacts/:id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete a contact with its conversations, messages and attributes (administrators)',
    description: 'One transaction; writes an entry to the deleted-contacts log with a masked hint.',
  })
  @ApiNoContentResponse()
  @ApiErrors({ FORBIDDEN: 'Needs the account administrator role' })
  async remove(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<void> {
    await this.deleteContact.execute({ actor, contactId: id });
  }

  @Put('contacts/:id/favourite')
  @HttpCode(204)
  @ApiOperation({ summary: "Add the contact to the caller's favourites" })
  @ApiNoContentResponse()
  @ApiErrors({ FORBIDDEN: 'The contact has no conversation in an inbox of the caller (administrators see every contact)' })
  async favourite(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<void> {
    await this.setFavourite.execute({ actor, contactId: id, favourite: true });
  }

  @Delete('contacts/:id/favourite')
  @HttpCode(204)
  @ApiOperation({ summary: "Remove the contact from the caller's favourites" })
  @ApiNoContentResponse()
  @ApiErrors({ FORBIDDEN: 'The contact has no conversation in an inbox of the caller (administrators see every contact)' })
  async unfavourite(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<void> {
    await this.setFavourite.execute({ actor, contactId: id, favourite: false });
  }

  @Put('contacts/:id/opt-outs/:channelType')
  @HttpCode(204)
  @ApiOperation({ summary: 'Unsubscribe the contact from campaign messages on a channel (recorded as manual:<userId>)' })
  @ApiParam({ name: 'channelType', enum: CHANNEL_TYPES })
  @ApiNoContentResponse()
  @ApiErrors({ FORBIDDEN: 'The contact has no conversation in an inbox of the caller (administrators see every contact)' })
  async optOut(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string, @Param('channelType') channelType: string): Promise<void> {
    await this.setOptOut.execute({ actor, contactId: id, channelType, optedOut: true });
  }

  @Delete('contacts/:id/opt-outs/:channelType')
  @HttpCode(204)
  @ApiOperation({ summary: 'Subscribe the contact again on a channel' })
  @ApiParam({ name: 'channelType', enum: CHANNEL_TYPES })
  @ApiNoContentResponse()
  @ApiErrors({ FORBIDDEN: 'The contact has no conversation in an inbox of the caller (administrators see every contact)' })
  async optIn(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string, @Param('channelType') channelType: string): Promise<void> {
    await this.setOptOut.execute({ actor, contactId: id, channelType, optedOut: false });
  }

  @Post('contacts/:id/merge')
  @HttpCode(200)
  @ApiOperation({ summary: 'Merge another contact into this one', description: MERGE_RULE })
  @ApiOkResponse({ type: ContactView })
  @ApiErrors({ FORBIDDEN: 'The caller may not see both contacts', NOT_FOUND: 'Either contact does not exist or belongs to another account' })
  merge(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string, @Body() body: MergeContactDto): Promise<ContactView> {
    return this.mergeContacts.execute({ actor, contactId: id, otherContactId: body.otherContactId });
  }

  @Get('deleted-contacts')
  @ApiOperation({ summary: 'The log of deleted contacts, newest first (administrators)' })
  @ApiOkResponse({ type: DeletedContactPageView })
  @ApiErrors({ FORBIDDEN: 'Needs the account administrator role' })
  deleted(@CurrentActor() actor: Actor, @Query() query: DeletedContactsQuery): Promise<DeletedContactPageView> {
    return this.listDeleted.execute({ ...query, actor });
  }
}
