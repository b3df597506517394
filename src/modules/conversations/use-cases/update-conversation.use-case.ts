import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import type { Actor } from '../../auth/actor';
import { ConversationWorkflows } from '../../../temporal/conversation-workflows';
import { ConversationAccess } from '../conversation-access';
import { EVENT_BY_PLACEHOLDERS, EVENT_COLUMNS, type EventCause, eventBy } from '../conversation-events';

export interface UpdateConversationInput {
  /** Absent for the system (automation). */
  actor?: Actor;
  conversationId: string;
  /** 0 none .. 4 urgent; required (the only field that can be changed). */
  priority?: number;
  /** Set when an automation rule's action makes this change (the event log names the rule). */
  cause?: EventCause;
}

/** Changes a conversation's own attributes (today: priority 0..4). Any member of its inbox may. */
@Injectable()
export class UpdateConversationUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly conversations: ConversationAccess,
    private readonly workflows: ConversationWorkflows,
  ) {}

  async execute(input: UpdateConversationInput): Promise<void> {
    if (input.priority === undefined) throw DomainError.invalid('priority', 'is required (the only field that can be changed)');
    if (!Number.isInteger(input.priority) || input.priority < 0 || input.priority > 4) {
      throw DomainError.invalid('priority', 'must be an integer from 0 (none) to 4 (urgent)');
    }
    const changed = input.actor
      ? // A user: the membership check and the change under one row lock.
        await this.em.fork().transactional(async (em) => {
          await this.conversations.lockForWrite(em, input.conversationId, input.actor);
          return this.setPriority(em, input);
        })
      : // The system: one statement (it locks the row itself).
        await this.setPriority(this.em.fork(), input);
    // A rule's own change is picked up by the automation pass that made it (tags and priority are no search attributes).
    if (changed && !input.cause) await this.workflows.notifyChanged([input.conversationId], `priority set to ${input.priority}`);
  }

  /** The priority and its priority_changed event (from -> to, only when it changes) in one statement; 404 when there is no such conversation. */
  private async setPriority(em: EntityManager, input: UpdateConversationInput): Promise<boolean> {
    const [r] = await em.execute<{ found: number; changed: number }[]>(
      `with old as (select id, priority from conversations where id = ? for no key update),
            upd as (update conversations c set priority = ? from old where c.id = old.id and old.priority <> ? returning c.id, old.priority as from_priority),
            ev as (
              insert into conversation_events (${EVENT_COLUMNS})
              select id, 'priority_changed', jsonb_build_object('from', from_priority, 'to', ?::int), ${EVENT_BY_PLACEHOLDERS} from upd)
       select (select count(*)::int from old) as found, (select count(*)::int from upd) as changed`,
      [input.conversationId, input.priority, input.priority, input.priority, ...eventBy({ actorUserId: input.actor?.userId, cause: input.cause })],
    );
    if (r.found === 0) throw DomainError.notFound('conversation', input.conversationId);
    return r.changed > 0;
  }
}
