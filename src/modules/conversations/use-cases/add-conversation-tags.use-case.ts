import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import type { Actor } from '../../auth/actor';
import { ConversationWorkflows } from '../../../temporal/conversation-workflows';
import { ConversationAccess } from '../conversation-access';
import { EVENT_BY_PLACEHOLDERS, EVENT_COLUMNS, type EventCause, eventBy } from '../conversation-events';
import { pgArrayLiteral } from '../../../common/pg-array';
import { normaliseTags, TAGS_PER_CONVERSATION } from '../tags';

export interface AddConversationTagsInput {
  /** Absent for the system (automation). */
  actor?: Actor;
  conversationId: string;
  tags: string[];
  /** Set when an automation rule's action makes this change (the event log names the rule). */
  cause?: EventCause;
}

/** Adds tags to the ones the conversation has (existing ones are kept once). Without an actor: the system. */
@Injectable()
export class AddConversationTagsUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly conversations: ConversationAccess,
    private readonly workflows: ConversationWorkflows,
  ) {}

  async execute(input: AddConversationTagsInput): Promise<void> {
    const tags = normaliseTags(input.tags);
    const changed = await this.em.fork().transactional(async (em) => {
      await this.conversations.lockForWrite(em, input.conversationId, input.actor);
      // One statement under the row lock (so the count sees every tag committed before it): the limit,
      // the new tags, and a tag_added event for each one that was not there.
      const [r] = await em.execute<{ total: number; added: number }[]>(
        `with wanted as (select tag, ord from unnest(?::text[]) with ordinality as w(tag, ord)),
              total as (select count(*)::int as n from (select tag from conversation_tags where conversation_id = ? union select tag from wanted) t),
              ins as (
                insert into conversation_tags (id, conversation_id, tag)
                select gen_random_uuid(), ?, w.tag from wanted w where (select n from total) <= ? order by w.ord
                on conflict (conversation_id, tag) do nothing returning tag),
              ev as (
                insert into conversation_events (${EVENT_COLUMNS})
                select ?::uuid, 'tag_added', jsonb_build_object('tag', w.tag), ${EVENT_BY_PLACEHOLDERS} from wanted w where w.tag in (select tag from ins) order by w.ord)
         select (select n from total) as total, (select count(*)::int from ins) as added`,
        [pgArrayLiteral(tags), input.conversationId, input.conversationId, TAGS_PER_CONVERSATION, input.conversationId, ...eventBy({ actorUserId: input.actor?.userId, cause: input.cause })],
      );
      if (r.total > TAGS_PER_CONVERSATION) {
        throw DomainError.invalid('tags', `a conversation has at most ${TAGS_PER_CONVERSATION} tags (this would make ${r.total})`);
      }
      return r.added > 0;
    });
    // A rule's own change is picked up by the automation pass that made it (tags and priority are no search attributes).
    if (changed && !input.cause) await this.workflows.notifyChanged([input.conversationId], 'tags added');
  }
}
