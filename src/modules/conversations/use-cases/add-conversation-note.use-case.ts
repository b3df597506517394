import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import type { Actor } from '../../auth/actor';
import { ConversationAccess } from '../conversation-access';
import type { EventCause } from '../conversation-events';
import { Message } from '../message.entity';

export interface AddConversationNoteInput {
  /** The agent writing; absent when an automation rule adds the note (then `cause` names the rule). */
  actor?: Actor;
  cause?: EventCause;
  conversationId: string;
  content: string;
  /** The client's id for this note: a retry with the same key returns the first note. */
  idempotencyKey?: string;
}

export interface AddConversationNoteResult {
  message: Message;
  duplicate: boolean;
}

/**
 * A private note: an agent's remark for the inbox's members, stored as a message with direction
 * `internal` and sender type `note`. It is only stored: no channel sender is called (this use case
 * does not know the senders), the conversation workflow is not told (no welcome, out-of-office or
 * routing), and the conversation's status, assignee and last activity stay as they are, so it is no
 * agent reply (it does not open a conversation nor start the out-of-office quiet time). Any member of
 * the inbox may write one, in either assignment mode (colleagues leave hints on conversations others
 * hold). Members see notes with the conversation's messages and in its timeline; the AI agent's
 * prompt leaves them out.
 */
@Injectable()
export class AddConversationNoteUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly conversations: ConversationAccess,
  ) {}

  async execute(input: AddConversationNoteInput): Promise<AddConversationNoteResult> {
    if (!input.content.trim()) throw DomainError.invalid('content', 'must not be empty');
    return this.em.fork().transactional(async (em) => {
      // The row lock serialises two retries with the same idempotencyKey.
      const { conversation } = await this.conversations.load(em, input.conversationId, input.actor, { lock: !!input.idempotencyKey });
      const idempotencyKey = input.idempotencyKey ? `note:${conversation.id}:${input.actor?.userId ?? `rule:${input.cause?.ruleId}`}:${input.idempotencyKey}` : null;
      if (idempotencyKey) {
        const existing = await em.findOne(Message, { idempotencyKey });
        if (existing) return { message: existing, duplicate: true };
      }
      const message = em.create(Message, {
        conversation,
        direction: 'internal',
        senderType: 'note',
        senderUserId: input.actor?.userId ?? null,
        content: input.content,
        // Stored; there is nothing to deliver.
        deliveryStatus: 'received',
        idempotencyKey,
      });
      await em.flush();
      return { message, duplicate: false };
    });
  }
}
