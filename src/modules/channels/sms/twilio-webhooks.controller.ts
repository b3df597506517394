import { Controller, Header, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../../common/api-errors';
import type { Request } from 'express';
import { uuidParam } from '../../../common/validation';
import { APP_CONFIG, type ServiceConfig } from '../../../config/config';
import { Public } from '../../auth/actor';
import type { TwilioWebhookRequest, WebhookParams } from './twilio-webhook-verifier';
import { ReceiveTwilioSmsUseCase } from './use-cases/receive-twilio-sms.use-case';
import { UpdateSmsDeliveryStatusUseCase } from './use-cases/update-sms-delivery-status.use-case';

/** The empty TwiML answer: "received, nothing to reply" (keyword answers go out through the REST API). */
export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

const TWIML = { description: 'Empty TwiML <Response/>', schema: { type: 'string', example: EMPTY_TWIML } };

/** Twilio's form parameters (any others Twilio sends are read where needed and kept out of the document). */
const twilioForm = (required: string[], properties: Record<string, string>) => ({
  schema: {
    type: 'object' as const,
    properties: Object.fromEntries(Object.entries(properties).map(([k, description]) => [k, { type: 'string', description }])),
    required,
    additionalProperties: { type: 'string' },
  },
});

/**
 * Twilio's webhooks for SMS inboxes. No bearer token: each request is authenticated by its
 * X-Twilio-Signature, checked against the inbox's auth token and the URL Twilio called, which is
 * PUBLIC_URL + this request's path and query (PUBLIC_URL must be the address Twilio reaches).
 */
@ApiTags('webhooks')
@Public()
@ApiProduces('text/xml')
@ApiErrors({ FORBIDDEN: 'X-Twilio-Signature is missing or does not match the inbox auth token and PUBLIC_URL', NOT_FOUND: 'No SMS inbox with Twilio settings has this id' })
@Controller('webhooks/twilio/sms/:inboxId')
export class TwilioWebhooksController {
  constructor(
    private readonly receive: ReceiveTwilioSmsUseCase,
    private readonly status: UpdateSmsDeliveryStatusUseCase,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  private request(inboxId: string, req: Request): TwilioWebhookRequest {
    const signature = req.headers['x-twilio-signature'];
    return {
      inboxId,
      signature: typeof signature === 'string' ? signature : undefined,
      url: this.config.publicUrl + req.originalUrl,
      params: (req.body && typeof req.body === 'object' ? req.body : {}) as WebhookParams,
    };
  }

  @Post()
  @HttpCode(200)
  @Header('content-type', 'text/xml; charset=utf-8')
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiOperation({
    summary: "Twilio incoming SMS/MMS (the number's messaging webhook, HTTP POST)",
    description:
      'Signed with X-Twilio-Signature (403 otherwise, nothing stored); MessageSid, From, To and Body or NumMedia required (400 naming the field); ' +
      'stored once per MessageSid; MMS media URLs kept. STOP/START/HELP keywords change the opt-out and answer with the account texts. Answers empty TwiML.',
  })
  @ApiBody(twilioForm(['MessageSid', 'From', 'To'], {
    MessageSid: 'Twilio message SID (each is stored once)',
    From: 'Sender number (the contact)',
    To: "The inbox's number",
    Body: 'Text; required unless NumMedia > 0',
    NumMedia: 'Number of MMS media (MediaUrl0, MediaContentType0, ...)',
  }))
  @ApiOkResponse(TWIML)
  async inbound(@Param('inboxId', uuidParam('inboxId')) inboxId: string, @Req() req: Request): Promise<string> {
    await this.receive.execute(this.request(inboxId, req));
    return EMPTY_TWIML;
  }

  @Post('status')
  @HttpCode(200)
  @Header('content-type', 'text/xml; charset=utf-8')
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiOperation({
    summary: 'Twilio message status callback (sent as StatusCallback with every outbound message)',
    description: 'Signed with X-Twilio-Signature; MessageSid and MessageStatus required; the delivery status only moves forward; ErrorCode is kept as the error.',
  })
  @ApiBody(twilioForm(['MessageSid', 'MessageStatus'], {
    MessageSid: 'Twilio message SID',
    MessageStatus: 'queued, sent, delivered, undelivered, failed, ...',
    ErrorCode: 'Twilio error code of a failed delivery',
  }))
  @ApiQuery({ name: 'messageId', type: String, required: false, description: 'Our message id, part of the StatusCallback URL we send' })
  @ApiOkResponse(TWIML)
  async statusCallback(@Param('inboxId', uuidParam('inboxId')) inboxId: string, @Req() req: Request): Promise<string> {
    const messageId = typeof req.query.messageId === 'string' ? req.query.messageId : undefined;
    await this.status.execute({ ...this.request(inboxId, req), messageId });
    return EMPTY_TWIML;
  }
}
