import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import type { Actor } from '../../auth/actor';
import { ConversationWorkflows } from '../../../temporal/conversation-workflows';
import { ConversationAccess } from '../conversation-access';
import { EVENT_BY_PLACEHOLDERS, EVENT_COLUMNS, type EventCause, eventBy } from '../conversation-events';
import { normaliseTag } from '../tags';

export interface RemoveConversationTagInput {
  /** Absent for the system (automation). */
  actor?: Actor;
  conversationId: string;
  tag: string;
  /** Set when an automation rule's action makes this change (the event log names the rule). */
  cause?: EventCause;
}

/** Removes one tag (a no-op when the conversation does not have it). Without an actor: the system. */
@Injectable()
export class RemoveConversationTagUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly conversations: ConversationAccess,
    private readonly workflows: ConversationWorkflows,
  ) {}

  async execute(input: RemoveConversationTagInput): Promise<void> {
    const tag = normaliseTag(input.tag);
    const removed = input.actor
      ? // A user: the membership check and the change under one row lock.
        await this.em.fork().transactional(async (em) => {
          await this.conversations.lockForWrite(em, input.conversationId, input.actor);
          return this.removeOne(em, input, tag);
        })
      : // The system: one statement (it locks the row itself).
        await this.removeOne(this.em.fork(), input, tag);
    // A rule's own change is picked up by the automation pass that made it (tags and priority are no search attributes).
    if (removed && !input.cause) await this.workflows.notifyChanged([input.conversationId], `tag ${tag} removed`);
  }

  /** The tag and its tag_removed event (only when it was there) in one statement; 404 when there is no such conversation. */
  private async removeOne(em: EntityManager, input: RemoveConversationTagInput, tag: string): Promise<boolean> {
    const [r] = await em.execute<{ found: number; removed: number }[]>(
      `with c as (select id from conversations where id = ? for no key update),
            del as (delete from conversation_tags t using c where t.conversation_id = c.id and t.tag = ? returning t.conversation_id),
            ev as (
              insert into conversation_events (${EVENT_COLUMNS})
              select conversation_id, 'tag_removed', jsonb_build_object('tag', ?::text), ${EVENT_BY_PLACEHOLDERS} from del)
       select (select count(*)::int from c) as found, (select count(*)::int from del) as removed`,
      [input.conversationId, tag, tag, ...eventBy({ actorUserId: input.actor?.userId, cause: input.cause })],
    );
    if (r.found === 0) throw DomainError.notFound('conversation', input.conversationId);
    return r.removed > 0;
  }
}
