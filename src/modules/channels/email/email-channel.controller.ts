import { Body, Controller, Get, HttpCode, Param, Post, Put, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiErrors } from '../../../common/api-errors';
import { uuidParam } from '../../../common/validation';
import { type Actor, CurrentActor } from '../../auth/actor';
import { EmailChannelView, EmailConnectionTestView, SetEmailChannelDto } from './dto/email-channel.dto';
import { EmailForwardingView } from './forwarding/email-forwarding.dto';
import { GetAttachmentUseCase } from './use-cases/get-attachment.use-case';
import { GetEmailForwardingUseCase } from './use-cases/get-email-forwarding.use-case';
import { RegenerateEmailForwardingUseCase } from './use-cases/regenerate-email-forwarding.use-case';
import { GetEmailChannelUseCase } from './use-cases/get-email-channel.use-case';
import { SetEmailChannelUseCase } from './use-cases/set-email-channel.use-case';
import { TestEmailChannelUseCase } from './use-cases/test-email-channel.use-case';

/** The IMAP/SMTP settings of an email inbox: its managers and the administrators. */
@ApiTags('channels')
@ApiErrors({ FORBIDDEN: 'Needs the manager role in the inbox', UNPROCESSABLE: 'The inbox is not an email inbox' })
@Controller('api/v1/inboxes/:id/email-channel')
export class EmailChannelController {
  constructor(
    private readonly getChannel: GetEmailChannelUseCase,
    private readonly setChannel: SetEmailChannelUseCase,
    private readonly testChannel: TestEmailChannelUseCase,
  ) {}

  @Get()
  @ApiOperation({ summary: "The email inbox's IMAP/SMTP settings and its mailbox checkpoint (never the passwords)" })
  @ApiOkResponse({ type: EmailChannelView })
  @ApiErrors({ NOT_FOUND: 'The inbox does not exist, or has no IMAP/SMTP settings yet' })
  async get(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<EmailChannelView> {
    return this.getChannel.execute({ actor, inboxId: id });
  }

  @Put()
  @ApiOperation({
    summary: "Set the email inbox's IMAP/SMTP settings; enabled starts (or stops) its mailbox workflow",
    description: 'imapPassword and smtpPassword are write-only and stored encrypted with SECRETS_KEY; leave them out to keep the stored ones.',
  })
  @ApiOkResponse({ type: EmailChannelView })
  @ApiErrors({
    UNPROCESSABLE: 'The inbox is not an email inbox, or SECRETS_KEY is not configured (passwords cannot be stored)',
    DEPENDENCY_UNAVAILABLE: 'The mailbox workflow could not be started or stopped (Temporal unreachable); nothing was stored',
  })
  async put(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string, @Body() body: SetEmailChannelDto): Promise<EmailChannelView> {
    return this.setChannel.execute({ ...body, actor, inboxId: id });
  }

  @Post('test')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Test the stored IMAP and SMTP settings',
    description: 'For each: DNS lookup, TCP connect, TLS handshake (when on), login (and the IMAP folder). Reports the step that failed, in plain words.',
  })
  @ApiOkResponse({ type: EmailConnectionTestView })
  @ApiErrors({
    NOT_FOUND: 'The inbox does not exist, or has no IMAP/SMTP settings yet',
    UNPROCESSABLE: 'The inbox is not an email inbox, or a stored password cannot be read with SECRETS_KEY',
  })
  async test(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<EmailConnectionTestView> {
    return this.testChannel.execute({ actor, inboxId: id });
  }
}

/** The forwarding address of an email inbox (no IMAP settings needed): its managers and the administrators. */
@ApiTags('channels')
@ApiErrors({ FORBIDDEN: 'Needs the manager role in the inbox', UNPROCESSABLE: 'The inbox is not an email inbox', NOT_FOUND: 'The inbox does not exist' })
@Controller('api/v1/inboxes/:id/email-channel/forwarding')
export class EmailForwardingController {
  constructor(
    private readonly getForwarding: GetEmailForwardingUseCase,
    private readonly regenerateForwarding: RegenerateEmailForwardingUseCase,
  ) {}

  @Get()
  @ApiOperation({
    summary: "The email inbox's forwarding address, when mail last arrived through the SMTP ingress, and the newest refused mails with why",
    description: 'The address is created the first time it is asked for. Mail sent or forwarded to it lands in the inbox (parsed, deduplicated and threaded like IMAP mail).',
  })
  @ApiOkResponse({ type: EmailForwardingView })
  async get(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<EmailForwardingView> {
    return this.getForwarding.execute({ actor, inboxId: id });
  }

  @Post('regenerate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Replace the forwarding address with a new random one',
    description: 'Mail to the old address is refused from now on (550, listed with the refusals); forward rules and MX aliases must use the new one.',
  })
  @ApiOkResponse({ type: EmailForwardingView })
  async regenerate(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<EmailForwardingView> {
    return this.regenerateForwarding.execute({ actor, inboxId: id });
  }
}

/** Attachments kept with messages (email attachments), for members of the conversation's inbox. */
@ApiTags('conversations')
@Controller('api/v1/attachments')
export class AttachmentsController {
  constructor(private readonly getAttachment: GetAttachmentUseCase) {}

  @Get(':id')
  @ApiOperation({ summary: "An attachment's bytes (the url in a message's attachments list)" })
  @ApiOkResponse({
    description: 'The file: Content-Type as stored (application/octet-stream when unknown), Content-Disposition attachment with its file name',
    content: { '*/*': { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiErrors({ FORBIDDEN: "Not a member of the message's inbox" })
  async download(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string, @Res() res: Response): Promise<void> {
    const file = await this.getAttachment.execute({ actor, attachmentId: id });
    res.setHeader('content-type', file.contentType ?? 'application/octet-stream');
    res.setHeader('content-length', String(file.content.length));
    res.setHeader('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.filename ?? 'attachment')}`);
    res.setHeader('x-content-type-options', 'nosniff');
    res.end(file.content);
  }
}
