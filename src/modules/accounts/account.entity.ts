import { randomUUID } from 'node:crypto';
import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

export interface AccountSettings {
  /** Agents may move conversations to another inbox they belong to. */
  allowMoveBetweenInboxes: boolean;
  /** Campaign messages start with the company name. */
  companyNameInsertion: boolean;
  /**
   * SMS keywords: confirmationText answers STOP & co. and resubscribeText (optional, unset: no answer)
   * answers START & co. while enabled; helpText answers HELP and INFO.
   */
  optOut: { enabled: boolean; confirmationText: string; helpText: string; resubscribeText?: string };
  messageAssistantEnabled: boolean;
  /** Contact field that links one person's identities across channels; null: none. */
  matchingAttribute: 'email' | 'phone' | null;
  /** Per-variable defaults used when a value is missing, e.g. { "contact.first_name": "there" }. */
  variableDefaults: Record<string, string>;
  /** IANA time zone of the account's reports (days, weeks and months); absent in older rows: UTC. */
  timezone: string;
}

export const DEFAULT_ACCOUNT_SETTINGS: AccountSettings = {
  allowMoveBetweenInboxes: false,
  companyNameInsertion: false,
  optOut: {
    enabled: true,
    confirmationText: 'You have been unsubscribed and will receive no further messages. Reply START to subscribe again.',
    helpText: 'Reply STOP to unsubscribe, START to subscribe again.',
  },
  messageAssistantEnabled: false,
  matchingAttribute: 'email',
  variableDefaults: {},
  timezone: 'UTC',
};

/** The account's report time zone (UTC for accounts stored before the setting existed). */
export const accountTimeZone = (settings: Partial<AccountSettings> | null | undefined): string => settings?.timezone || 'UTC';

/** A tenant. Everything else belongs to exactly one account. */
@Entity({ tableName: 'accounts' })
export class Account {
  [OptionalProps]?: 'createdAt' | 'companyName' | 'address' | 'email' | 'phone' | 'settings';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'text' })
  name!: string;

  /** Account variables, usable as {{account.company_name}} etc. */
  @Property({ type: 'text', nullable: true })
  companyName: string | null = null;

  @Property({ type: 'text', nullable: true })
  address: string | null = null;

  @Property({ type: 'text', nullable: true })
  email: string | null = null;

  @Property({ type: 'text', nullable: true })
  phone: string | null = null;

  @Property({ type: 'jsonb' })
  settings: AccountSettings = structuredClone(DEFAULT_ACCOUNT_SETTINGS);

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
