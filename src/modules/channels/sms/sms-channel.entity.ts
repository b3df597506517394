import { Entity, OneToOne, OptionalProps, PrimaryKeyProp, Property, type Ref } from '@mikro-orm/core';
import { Inbox } from '../../inboxes/inbox.entity';

/**
 * The Twilio settings of an SMS inbox (one row per inbox). The auth token is stored sealed by
 * SecretBox (AES-256-GCM, SECRETS_KEY) and never leaves through the API.
 */
@Entity({ tableName: 'sms_channels' })
export class SmsChannel {
  [PrimaryKeyProp]?: 'inbox';
  [OptionalProps]?: 'createdAt' | 'updatedAt' | 'fromNumber' | 'messagingServiceSid';

  @OneToOne(() => Inbox, { primary: true, ref: true, deleteRule: 'cascade', owner: true })
  inbox!: Ref<Inbox>;

  /** AC + 32 hex digits. */
  @Property({ type: 'text' })
  accountSid!: string;

  /** SecretBox-sealed auth token: it signs Twilio's webhooks and authenticates our REST calls. */
  @Property({ type: 'text' })
  authTokenSealed!: string;

  /** E.164 sender number; outbound messages use the messaging service instead when one is set. */
  @Property({ type: 'text', nullable: true })
  fromNumber: string | null = null;

  /** MG + 32 hex digits. */
  @Property({ type: 'text', nullable: true })
  messagingServiceSid: string | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
