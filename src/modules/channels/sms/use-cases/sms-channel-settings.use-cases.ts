import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '../../../../common/domain-error';
import { SecretBox } from '../../../../common/secret-box';
import { APP_CONFIG, type ServiceConfig } from '../../../../config/config';
import { AccessPolicy } from '../../../auth/access-policy';
import type { Actor } from '../../../auth/actor';
import type { Inbox } from '../../../inboxes/inbox.entity';
import type { SetSmsChannelDto, SmsChannelView } from '../dto/sms-channel.dto';
import { SmsChannel } from '../sms-channel.entity';
import { smsInboundUrl, smsStatusCallbackUrl } from '../sms-urls';

function requireSmsInbox(inbox: Inbox): void {
  if (inbox.channelType !== 'sms') {
    throw new DomainError('UNPROCESSABLE', `inboxId: inbox ${inbox.id} is an ${inbox.channelType} inbox; Twilio settings belong to sms inboxes`, [
      { field: 'inboxId', problem: `is an ${inbox.channelType} inbox, not an sms inbox` },
    ]);
  }
}

function view(channel: SmsChannel, publicUrl: string): SmsChannelView {
  const inboxId = channel.inbox.id;
  return {
    inboxId,
    accountSid: channel.accountSid,
    authTokenSet: Boolean(channel.authTokenSealed),
    fromNumber: channel.fromNumber,
    messagingServiceSid: channel.messagingServiceSid,
    inboundWebhookUrl: smsInboundUrl(publicUrl, inboxId),
    statusCallbackUrl: smsStatusCallbackUrl(publicUrl, inboxId),
    updatedAt: channel.updatedAt.toISOString(),
  };
}

/** The Twilio settings of an SMS inbox, as its managers (and administrators) see them: never the auth token. */
@Injectable()
export class GetSmsChannelUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async execute(actor: Actor, inboxId: string): Promise<SmsChannelView> {
    const em = this.em.fork();
    const { inbox } = await this.access.requireManager(actor, inboxId, 'reading the SMS channel settings', em);
    requireSmsInbox(inbox);
    const channel = await em.findOne(SmsChannel, { inbox: inboxId });
    if (!channel) throw new DomainError('NOT_FOUND', `inbox ${inboxId} has no Twilio settings yet; PUT them to /api/v1/inboxes/${inboxId}/sms-channel`);
    return view(channel, this.config.publicUrl);
  }
}

/**
 * Sets the Twilio settings of an SMS inbox (managers, administrators). The auth token is sealed with
 * SECRETS_KEY before anything is written; without a key the call is refused and nothing is stored.
 */
@Injectable()
export class SetSmsChannelUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
    private readonly secrets: SecretBox,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async execute(actor: Actor, inboxId: string, input: SetSmsChannelDto): Promise<SmsChannelView> {
    return this.em.fork().transactional(async (em) => {
      const { inbox } = await this.access.requireManager(actor, inboxId, 'changing the SMS channel settings', em);
      requireSmsInbox(inbox);
      const existing = await em.findOne(SmsChannel, { inbox: inboxId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!existing && !input.authToken) throw DomainError.invalid('authToken', 'is required the first time the Twilio settings are stored');
      const fromNumber = input.fromNumber !== undefined ? input.fromNumber : (existing?.fromNumber ?? null);
      const messagingServiceSid = input.messagingServiceSid !== undefined ? input.messagingServiceSid : (existing?.messagingServiceSid ?? null);
      if (!fromNumber && !messagingServiceSid) {
        throw DomainError.invalid('fromNumber', 'is required unless a messagingServiceSid is set (outbound messages need a sender)');
      }
      const sealed = input.authToken ? this.secrets.encrypt(input.authToken, 'authToken') : existing!.authTokenSealed;
      const channel = existing ?? em.create(SmsChannel, { inbox: inboxId, accountSid: input.accountSid, authTokenSealed: sealed });
      channel.accountSid = input.accountSid;
      channel.authTokenSealed = sealed;
      channel.fromNumber = fromNumber;
      channel.messagingServiceSid = messagingServiceSid;
      channel.updatedAt = new Date();
      await em.flush();
      return view(channel, this.config.publicUrl);
    });
  }
}
