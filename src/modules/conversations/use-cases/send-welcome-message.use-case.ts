import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { Conversation } from '../conversation.entity';
import { Message } from '../message.entity';
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
    const conversation = await em.findOne(Conversation, { id: input.conversationId }, { populate: ['inbox'] });
    if (!conversation) throw DomainError.notFound('conversation', input.conversationId);
    const inbox = conversation.inbox.getEntity();
    const idempotencyKey = `welcome:${conversation.id}`;

    const earlier = await em.findOne(Message, { idempotencyKey });
    if (earlier && earlier.deliveryStatus !== 'queued') return { sent: false, reason: 'already sent', messageId: earlier.id };
    if (!earlier) {
      if (!inbox.welcomeMessage) return { sent: false, reason: 'welcome message off' };
      if (await this.onlyAutomated(em, conversation.id, input.triggeredByMessageId)) return { sent: false, reason: 'automated message' };
      if (await this.startedByAgent(em, conversation.id)) return { sent: false, reason: 'started by an agent' };
    }
    // Rendered for the conversation's contact once; a retry re-sends the stored text.
    const content =
      earlier?.content ?? (await this.variables.renderFor(em, { accountId: conversation.account.id, contactId: conversation.contact.id }, inbox.welcomeMessage!));
    const result = await this.messages.send({ conversationId: conversation.id, content, idempotencyKey });
    return result.sent ? { sent: true, messageId: result.messageId } : { sent: false, reason: 'already sent', messageId: result.messageId };
  }

  /** The conversation's first message (notes aside) is an agent's: the agent wrote first, the customer answers it. */
  private async startedByAgent(em: EntityManager, conversationId: string): Promise<boolean> {
    const [first] = await em.execute<{ direction: string; sender_type: string }[]>(
      `select direction, sender_type from messages where conversation_id = ? and direction <> 'internal' order by id limit 1`,
      [conversationId],
    );
    return first?.direction === 'outbound' && first.sender_type === 'agent';
  }

  private async onlyAutomated(em: EntityManager, conversationId: string, triggeredByMessageId?: string): Promise<boolean> {
    if (triggeredByMessageId) {
      const [row] = await em.execute<{ automated: boolean }[]>(`select automated from messages where id = ? and conversation_id = ?`, [
        triggeredByMessageId,
        conversationId,
      ]);
      if (row) return row.automated;
    }
    const [row] = await em.execute<{ automated: number; people: number }[]>(
      `select count(*) filter (where automated)::int as automated, count(*) filter (where not automated)::int as people
       from messages where conversation_id = ? and direction = 'inbound'`,
      [conversationId],
    );
    return row.automated > 0 && row.people === 0;
  }
}
