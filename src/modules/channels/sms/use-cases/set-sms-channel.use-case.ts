import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '../../../../common/domain-error';
import { SecretBox } from '../../../../common/secret-box';
import { APP_CONFIG, type ServiceConfig } from '../../../../config/config';
import { AccessPolicy } from '../../../auth/access-policy';
import type { Actor } from '../../../auth/actor';
import type { SmsChannelView } from '../dto/sms-channel.dto';
import { SmsChannel } from '../sms-channel.entity';
import { requireSmsInbox, requireTokenForNewAccount, smsChannelView } from '../sms-channel-settings';

export interface SetSmsChannelInput {
  actor: Actor;
  inboxId: string;
  /** Twilio Account SID. */
  accountSid: string;
  /** Required the first time and when accountSid changes; otherwise absent keeps the stored one. Sealed with SECRETS_KEY. */
  authToken?: string;
  /** E.164 sender; absent keeps the stored one, null clears it. Needed unless a messaging service is set. */
  fromNumber?: string | null;
  /** Absent keeps the stored one, null clears it. */
  messagingServiceSid?: string | null;
}

/**
 * Sets the Twilio settings of an SMS inbox (managers, administrators). The auth token is sealed with
 * SECRETS_KEY before anything is written; without a key the call is refused and nothing is stored.
 * A new account SID needs the token again (the stored one stays with the account it was given for).
 */
@Injectable()
export class SetSmsChannelUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
    private readonly secrets: SecretBox,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async execute(input: SetSmsChannelInput): Promise<SmsChannelView> {
    const { actor, inboxId } = input;
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
      if (existing) requireTokenForNewAccount(existing, input.accountSid, input.authToken);
      const sealed = input.authToken ? this.secrets.encrypt(input.authToken, 'authToken') : existing!.authTokenSealed;
      const channel = existing ?? em.create(SmsChannel, { inbox: inboxId, accountSid: input.accountSid, authTokenSealed: sealed });
      channel.accountSid = input.accountSid;
      channel.authTokenSealed = sealed;
      channel.fromNumber = fromNumber;
      channel.messagingServiceSid = messagingServiceSid;
      channel.updatedAt = new Date();
      await em.flush();
      return smsChannelView(channel, this.config.publicUrl);
    });
  }
}
