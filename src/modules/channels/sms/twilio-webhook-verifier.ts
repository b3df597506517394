import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import twilio from 'twilio';
import { DomainError } from '../../../common/domain-error';
import { SecretBox } from '../../../common/secret-box';
import { SmsChannel } from './sms-channel.entity';

export type WebhookParams = Record<string, string | string[] | undefined>;

export interface TwilioWebhookRequest {
  inboxId: string;
  /** The X-Twilio-Signature header. */
  signature: string | undefined;
  /** The full URL Twilio called: PUBLIC_URL + path and query (see sms-urls.ts). */
  url: string;
  /** The form fields Twilio posted. */
  params: WebhookParams;
}

/**
 * Checks that a webhook came from Twilio: X-Twilio-Signature is HMAC-SHA1 over the called URL and the
 * sorted form fields, keyed with the inbox's auth token (twilio.validateRequest). A missing or wrong
 * signature is 403 before anything is read from the body or stored.
 */
@Injectable()
export class TwilioWebhookVerifier {
  constructor(
    private readonly em: EntityManager,
    private readonly secrets: SecretBox,
  ) {}

  async verify(req: TwilioWebhookRequest): Promise<SmsChannel> {
    const channel = await this.em.fork().findOne(SmsChannel, { inbox: req.inboxId }, { populate: ['inbox'] });
    if (!channel || channel.inbox.getEntity().channelType !== 'sms') {
      throw new DomainError('NOT_FOUND', `inbox ${req.inboxId} has no SMS channel with Twilio settings`);
    }
    if (!req.signature) {
      throw new DomainError('FORBIDDEN', 'X-Twilio-Signature: missing; the request cannot be verified as coming from Twilio', [
        { field: 'X-Twilio-Signature', problem: 'is missing' },
      ]);
    }
    const authToken = this.secrets.decrypt(channel.authTokenSealed, 'authToken');
    if (!twilio.validateRequest(authToken, req.signature, req.url, req.params)) {
      throw new DomainError(
        'FORBIDDEN',
        `X-Twilio-Signature: does not match this request to ${req.url}; the request cannot be verified as coming from Twilio ` +
          '(check the auth token and that PUBLIC_URL is the address Twilio calls)',
        [{ field: 'X-Twilio-Signature', problem: 'does not match' }],
      );
    }
    return channel;
  }
}

/** One form field as text; a repeated field or a missing one is undefined. */
export function field(params: WebhookParams, name: string): string | undefined {
  const value = params[name];
  return typeof value === 'string' ? value : undefined;
}

export function requiredField(params: WebhookParams, name: string): string {
  const value = field(params, name);
  if (value === undefined || value.trim() === '') throw DomainError.invalid(name, 'is required');
  return value;
}
