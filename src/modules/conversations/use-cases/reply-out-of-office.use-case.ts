import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { evaluateBusinessHours } from '../../inboxes/business-hours';
import { DomainError } from '../../../common/domain-error';
import { APP_CONFIG, ServiceConfig } from '../../../config/config';
import { VariablesService } from '../../variables/variables.service';
import { Conversation } from '../conversation.entity';
import { recordDecision, type DecisionRecord } from '../decision-log';
import { Message } from '../message.entity';
import { SystemMessages } from '../system-messages';

export interface ReplyOutOfOfficeInput {
  conversationId: string;
  /** The inbound message to answer. */
  messageId: string;
}

export interface ReplyOutOfOfficeResult {
  sent: boolean;
  /** Why (or why not), in words for the workflow history. */
  reason: string;
  decision?: DecisionRecord;
}

/**
 * Answers an inbound message that arrived outside the inbox's business hours with the
 * out-of-office text: once per closed period (the message's idempotency key holds the period),
 * not while an agent answered within the configured quiet time, not for a resolved or spam
 * conversation, never for an automated message (auto-reply, bounce). The hours are evaluated at the message's arrival, with the settings as they are now.
 */
@Injectable()
export class ReplyOutOfOfficeUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly messages: SystemMessages,
    private readonly variables: VariablesService,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  /**
   * `known.businessHoursEnabled`: the inbox's business-hours switch when the caller read it a moment
   * ago with the conversation (the inbound steps: the welcome's statement), saving the first query.
   */
  async execute(input: ReplyOutOfOfficeInput, known?: { businessHoursEnabled: boolean }): Promise<ReplyOutOfOfficeResult> {
    const em = this.em.fork();
    // Most inboxes have business hours off: one query answers that before anything is loaded.
    if (known && !known.businessHoursEnabled) return { sent: false, reason: 'business hours are off' };
    if (!known) {
      const [gate] = await em.execute<{ enabled: boolean | null }[]>(
        `select (i.settings -> 'businessHours' ->> 'enabled')::boolean as enabled from conversations c join inboxes i on i.id = c.inbox_id where c.id = ?`,
        [input.conversationId],
      );
      if (!gate) throw DomainError.notFound('conversation', input.conversationId);
      if (!gate.enabled) return { sent: false, reason: 'business hours are off' };
    }
    const conversation = await em.findOne(Conversation, { id: input.conversationId }, { populate: ['inbox'] });
    if (!conversation) throw DomainError.notFound('conversation', input.conversationId);
    const message = await em.findOne(Message, { id: input.messageId, conversation: conversation.id });
    if (!message) throw DomainError.notFound('message', input.messageId);
    const hours = conversation.inbox.getEntity().settings.businessHours;

    if (!hours.enabled) return { sent: false, reason: 'business hours are off' };
    if (message.automated) {
      return { sent: false, reason: 'the message is an automated one (auto-reply or bounce): no out-of-office reply, so two auto-responders cannot loop' };
    }
    if (!hours.outOfOfficeMessage) return { sent: false, reason: 'no out-of-office text is set' };
    if (conversation.status === 'resolved' || conversation.status === 'spam') return { sent: false, reason: `conversation is ${conversation.status}` };

    const verdict = evaluateBusinessHours(hours, message.createdAt);
    if (verdict.open) return { sent: false, reason: verdict.reason };
    const idempotencyKey = `ooo:${conversation.id}:${verdict.periodKey}`;
    const earlier = await em.findOne(Message, { idempotencyKey });
    if (earlier && earlier.deliveryStatus !== 'queued') return { sent: false, reason: `already sent in this closed period (${verdict.reason})` };

    const quiet = this.config.lifecycle.outOfOfficeQuietAfterAgentReplySeconds;
    const [agentReply] = await em.execute<{ at: Date | null }[]>(
      `select max(created_at) as at from messages where conversation_id = ? and direction = 'outbound' and sender_type = 'agent'`,
      [conversation.id],
    );
    const lastAgentReplyAt = agentReply?.at ? new Date(agentReply.at) : null;
    if (lastAgentReplyAt && message.createdAt.getTime() - lastAgentReplyAt.getTime() < quiet * 1000) {
      const ago = Math.max(0, Math.round((message.createdAt.getTime() - lastAgentReplyAt.getTime()) / 1000));
      const decision = await recordDecision(em, {
        conversationId: conversation.id,
        kind: 'out_of_office',
        summary: `out-of-office not sent although ${verdict.reason}: an agent answered ${ago} s before this message (quiet time ${quiet} s)`,
        details: { periodKey: verdict.periodKey, lastAgentReplyAt: lastAgentReplyAt.toISOString(), quietSeconds: quiet },
      });
      return { sent: false, reason: decision.summary, decision };
    }

    const content = await this.variables.renderFor(em, { accountId: conversation.account.id, contactId: conversation.contact.id }, hours.outOfOfficeMessage);
    const inbox = conversation.inbox.getEntity();
    const sent = await this.messages.send({ conversationId: conversation.id, content, idempotencyKey }, { inboxId: inbox.id, channelType: inbox.channelType });
    if (!sent.sent) return { sent: false, reason: `already sent in this closed period (${verdict.reason})` };
    const decision = await recordDecision(em, {
      conversationId: conversation.id,
      kind: 'out_of_office',
      summary: `out-of-office reply sent: ${verdict.reason}${verdict.nextOpenAt ? `; opens again at ${verdict.nextOpenAt.toISOString()}` : ''}`,
      details: {
        messageId: sent.messageId,
        periodKey: verdict.periodKey,
        local: verdict.local,
        nextOpenAt: verdict.nextOpenAt?.toISOString() ?? null,
        timezone: hours.timezone,
      },
    });
    return { sent: true, reason: decision.summary, decision };
  }
}
