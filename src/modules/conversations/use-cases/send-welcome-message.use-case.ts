import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import type { ChannelType } from '../../inboxes/inbox.entity';
import { SystemMessages } from '../system-messages';
import { VariablesService } from '../../variables/variables.service';

export interface SendWelcomeMessageInput {
  conversationId: string;
  /**
   * The inbound message that started the conversation's automatic steps. An automated one
   * (auto-reply, bounce: `messages.automated`) gets no welcome, so two auto-responders cannot loop;
   * without it, the welcome is skipped while every inbound message so far is automated.
   */
  triggeredByMessageId?: string;
}

export interface SendWelcomeMessageResult {
  sent: boolean;
  /** Why nothing was sent, for the workflow history. */
  reason?: 'welcome message off' | 'already sent' | 'automated message' | 'started by an agent';
  messageId?: string;
  /**
   * Whether the inbox has business hours on, read in the same statement (the out-of-office step that
   * follows uses it instead of asking again). Absent in histories recorded before it was added.
   */
  businessHoursEnabled?: boolean;
}

interface WelcomeRow {
  id: string;
  account_id: string;
  contact_id: string;
  inbox_id: string;
  channel_type: ChannelType;
  welcome_message: string | null;
  earlier_id: string | null;
  earlier_status: string | null;
  earlier_content: string | null;
  trigger_automated: boolean | null;
  first_direction: string | null;
  first_sender_type: string | null;
  business_hours_enabled: boolean | null;
}

/**
 * Stores and delivers the inbox's welcome message, at most once per conversation (not in one an
 * agent started: the customer's first message answers the agent), through
 * SystemMessages: the idempotency key `welcome:<conversationId>` is unique, so a retried activity or
 * a second workflow run finds the first one instead of sending again.
 */
@Injectable()
export class SendWelcomeMessageUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly messages: SystemMessages,
    private readonly variables: VariablesService,
  ) {}

  async execute(input: SendWelcomeMessageInput): Promise<SendWelcomeMessageResult> {
    const em = this.em.fork();
    // One statement: the conversation and its inbox's text, an earlier welcome, the triggering message
    // and the conversation's first message (notes aside).
    const [c] = await em.execute<WelcomeRow[]>(
      `select c.id, c.account_id, c.contact_id, c.inbox_id, i.channel_type, i.welcome_message,
              w.id as earlier_id, w.delivery_status as earlier_status, w.content as earlier_content,
              t.automated as trigger_automated,
              f.direction as first_direction, f.sender_type as first_sender_type,
              (i.settings -> 'businessHours' ->> 'enabled')::boolean as business_hours_enabled
         from conversations c
         join inboxes i on i.id = c.inbox_id
         left join messages w on w.idempotency_key = 'welcome:' || c.id::text
         left join messages t on t.id = ? and t.conversation_id = c.id
         left join lateral (select direction, sender_type from messages where conversation_id = c.id and direction <> 'internal' order by id limit 1) f on true
        where c.id = ?`,
      [input.triggeredByMessageId === undefined ? null : String(input.triggeredByMessageId), input.conversationId],
    );
    if (!c) throw DomainError.notFound('conversation', input.conversationId);
    const result = await this.decideAndSend(em, c);
    return { ...result, businessHoursEnabled: c.business_hours_enabled === true };
  }

  private async decideAndSend(em: EntityManager, c: WelcomeRow): Promise<SendWelcomeMessageResult> {
    const idempotencyKey = `welcome:${c.id}`;

    const earlier = c.earlier_id === null ? null : { id: String(c.earlier_id), deliveryStatus: c.earlier_status!, content: c.earlier_content! };
    if (earlier && earlier.deliveryStatus !== 'queued') return { sent: false, reason: 'already sent', messageId: earlier.id };
    if (!earlier) {
      if (!c.welcome_message) return { sent: false, reason: 'welcome message off' };
      const onlyAutomated = c.trigger_automated !== null ? c.trigger_automated : await this.onlyAutomated(em, c.id);
      if (onlyAutomated) return { sent: false, reason: 'automated message' };
      // The conversation's first message (notes aside) is an agent's: the agent wrote first, the customer answers it.
      if (c.first_direction === 'outbound' && c.first_sender_type === 'agent') return { sent: false, reason: 'started by an agent' };
    }
    // Rendered for the conversation's contact once; a retry re-sends the stored text.
    const content = earlier?.content ?? (await this.variables.renderFor(em, { accountId: c.account_id, contactId: c.contact_id }, c.welcome_message!));
    const result = await this.messages.send({ conversationId: c.id, content, idempotencyKey }, { inboxId: c.inbox_id, channelType: c.channel_type });
    return result.sent ? { sent: true, messageId: result.messageId } : { sent: false, reason: 'already sent', messageId: result.messageId };
  }

  /** Without the triggering message: whether every inbound message so far is automated. */
  private async onlyAutomated(em: EntityManager, conversationId: string): Promise<boolean> {
    const [row] = await em.execute<{ automated: number; people: number }[]>(
      `select count(*) filter (where automated)::int as automated, count(*) filter (where not automated)::int as people
       from messages where conversation_id = ? and direction = 'inbound'`,
      [conversationId],
    );
    return row.automated > 0 && row.people === 0;
  }
}
