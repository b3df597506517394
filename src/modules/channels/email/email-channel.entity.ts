import { Entity, OneToOne, OptionalProps, PrimaryKeyProp, Property, type Ref } from '@mikro-orm/core';
import { Inbox } from '../../inboxes/inbox.entity';

/**
 * The IMAP/SMTP settings of an email inbox (one row per inbox), and the mailbox checkpoint.
 * Passwords are stored sealed by SecretBox (AES-256-GCM, SECRETS_KEY) and never leave through the API.
 *
 * Checkpoint: `uidValidity` and `lastUid` of `imapFolder`. Every message with a UID up to `lastUid`
 * under that UIDVALIDITY has been stored (and its conversation workflow told); the mailbox
 * workflow's activity fetches from `lastUid + 1` and advances it after each message.
 */
@Entity({ tableName: 'email_channels' })
export class EmailChannel {
  [PrimaryKeyProp]?: 'inbox';
  [OptionalProps]?:
    | 'createdAt'
    | 'updatedAt'
    | 'displayName'
    | 'imapFolder'
    | 'smtpUser'
    | 'smtpPasswordSealed'
    | 'enabled'
    | 'uidValidity'
    | 'lastUid'
    | 'lastError'
    | 'lastErrorAt'
    | 'lastConnectedAt';

  @OneToOne(() => Inbox, { primary: true, ref: true, deleteRule: 'cascade', owner: true })
  inbox!: Ref<Inbox>;

  /** The address customers write to; replies go out From it. */
  @Property({ type: 'text' })
  address!: string;

  @Property({ type: 'text', nullable: true })
  displayName: string | null = null;

  @Property({ type: 'text' })
  imapHost!: string;

  @Property({ type: 'integer' })
  imapPort!: number;

  /** true: TLS from the first byte (IMAPS, usually 993); false: plain IMAP, no STARTTLS. */
  @Property({ type: 'boolean' })
  imapSecure!: boolean;

  @Property({ type: 'text' })
  imapUser!: string;

  @Property({ type: 'text' })
  imapPasswordSealed!: string;

  @Property({ type: 'text', default: 'INBOX' })
  imapFolder: string = 'INBOX';

  @Property({ type: 'text' })
  smtpHost!: string;

  @Property({ type: 'integer' })
  smtpPort!: number;

  /** true: TLS from the first byte (SMTPS, usually 465); false: plain SMTP (STARTTLS not attempted). */
  @Property({ type: 'boolean' })
  smtpSecure!: boolean;

  /** Null: the SMTP server takes mail without a login. */
  @Property({ type: 'text', nullable: true })
  smtpUser: string | null = null;

  @Property({ type: 'text', nullable: true })
  smtpPasswordSealed: string | null = null;

  /** While enabled, the mailbox:<inboxId> workflow holds an IMAP session. */
  @Property({ type: 'boolean', default: false })
  enabled: boolean = false;

  /** UIDVALIDITY of the folder when `lastUid` was recorded (bigint as text: IMAP allows 32-bit unsigned). */
  @Property({ type: 'bigint', nullable: true })
  uidValidity: string | null = null;

  @Property({ type: 'bigint', default: 0 })
  lastUid: string = '0';

  /** The mailbox session's last connection problem, in words (cleared when it connects again). */
  @Property({ type: 'text', nullable: true })
  lastError: string | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  lastErrorAt: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  lastConnectedAt: Date | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
