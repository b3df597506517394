import { createHash } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/domain-error';
import { type EventCause, recordConversationEvent } from '../conversations/conversation-events';
import { Conversation } from '../conversations/conversation.entity';
import { recordDecision } from '../conversations/decision-log';
import { AddConversationNoteUseCase } from '../conversations/use-cases/add-conversation-note.use-case';
import { AddConversationTagsUseCase } from '../conversations/use-cases/add-conversation-tags.use-case';
import { AssignConversationUseCase } from '../conversations/use-cases/assign-conversation.use-case';
import { MarkConversationSpamUseCase } from '../conversations/use-cases/mark-conversation-spam.use-case';
import { MoveConversationUseCase } from '../conversations/use-cases/move-conversation.use-case';
import { RemoveConversationTagUseCase } from '../conversations/use-cases/remove-conversation-tag.use-case';
import { ReopenConversationUseCase } from '../conversations/use-cases/reopen-conversation.use-case';
import { ReplyToConversationUseCase } from '../conversations/use-cases/reply-to-conversation.use-case';
import { ResolveConversationUseCase } from '../conversations/use-cases/resolve-conversation.use-case';
import { SetConversationPendingUseCase } from '../conversations/use-cases/set-conversation-pending.use-case';
import { UpdateConversationUseCase } from '../conversations/use-cases/update-conversation.use-case';
import { CsatSurveySender } from '../csat/csat-survey-sender';
import { DEFAULT_INBOX_SETTINGS } from '../inboxes/inbox-settings';
import { Inbox } from '../inboxes/inbox.entity';
import { DrainQueueUseCase } from '../routing/use-cases/drain-queue.use-case';
import { VariablesService } from '../variables/variables.service';
import type { ActionOutcome, RuleAction } from './automation-rule.types';

export interface ActionContext {
  conversationId: string;
  accountId: string;
  rule: { id: string; name: string; version: number };
  firingId: string;
  /** The action's place in the rule: with the firing, the idempotency key of what it sends. */
  index: number;
  cause: EventCause;
}

/**
 * Carries out one action of a fired rule through the product's own use cases, as the system (no
 * actor) with the firing as the cause, so their events name the rule. Each action is idempotent for
 * its firing: tags, priority and status are set (not toggled), and what is sent carries the key
 * `automation:<firing>:<index>`, so a retried activity or a restarted worker never sends it twice.
 * A refusal by a use case (a moved conversation, a closed one) is the action's outcome, not a crash.
 */
@Injectable()
export class AutomationActions {
  constructor(
    private readonly em: EntityManager,
    private readonly assign: AssignConversationUseCase,
    private readonly addTags: AddConversationTagsUseCase,
    private readonly removeTag: RemoveConversationTagUseCase,
    private readonly update: UpdateConversationUseCase,
    private readonly pending: SetConversationPendingUseCase,
    private readonly resolve: ResolveConversationUseCase,
    private readonly reopen: ReopenConversationUseCase,
    private readonly reply: ReplyToConversationUseCase,
    private readonly note: AddConversationNoteUseCase,
    private readonly move: MoveConversationUseCase,
    private readonly spam: MarkConversationSpamUseCase,
    private readonly drain: DrainQueueUseCase,
    private readonly csat: CsatSurveySender,
    private readonly variables: VariablesService,
  ) {}

  async run(action: RuleAction, ctx: ActionContext): Promise<ActionOutcome> {
    try {
      const detail = await this.perform(action, ctx);
      return { type: action.type, outcome: detail.startsWith('skipped:') ? 'skipped' : 'done', detail: detail.replace(/^skipped: /, '') };
    } catch (err) {
      // A refusal (DomainError) is the outcome; anything else (database down...) is retried by the activity.
      if (err instanceof DomainError && err.code !== 'DEPENDENCY_UNAVAILABLE') return { type: action.type, outcome: 'failed', detail: err.message };
      throw err;
    }
  }

  private async perform(action: RuleAction, ctx: ActionContext): Promise<string> {
    const base = { conversationId: ctx.conversationId, cause: ctx.cause };
    const key = `automation:${ctx.firingId}:${ctx.index}`;
    switch (action.type) {
      case 'add_tag':
        await this.addTags.execute({ ...base, tags: [action.tag!] });
        return `tag ${action.tag}`;
      case 'remove_tag':
        await this.removeTag.execute({ ...base, tag: action.tag! });
        return `tag ${action.tag} removed`;
      case 'set_priority':
        await this.update.execute({ ...base, priority: action.priority! });
        return `priority ${action.priority}`;
      case 'set_status': {
        const r =
          action.status === 'pending'
            ? await this.pending.execute(base)
            : action.status === 'resolved'
              ? await this.resolve.execute(base)
              : await this.reopen.execute(base);
        return r.changed ? `status ${action.status}` : `skipped: already ${action.status}`;
      }
      case 'unassign': {
        const r = await this.assign.execute({ ...base, assigneeId: null });
        return r.changed ? `unassigned (was ${r.previousAssigneeId})` : 'skipped: nobody held it';
      }
      case 'assign_agent':
      case 'assign_team':
        return this.assignThroughQueue(action, ctx);
      case 'send_message':
      case 'send_saved_reply': {
        const text = action.type === 'send_message' ? action.content! : await this.savedReply(action.savedReplyId!, ctx.accountId);
        const content = await this.render(ctx, text);
        const sent = await this.reply.execute({ ...base, content, idempotencyKey: key });
        return sent.duplicate ? `message ${sent.message.id} (sent before)` : `message ${sent.message.id} (${sent.message.deliveryStatus})`;
      }
      case 'add_note': {
        const content = await this.render(ctx, action.content!);
        const n = await this.note.execute({ ...base, content, idempotencyKey: key });
        return `note ${n.message.id}`;
      }
      case 'send_csat': {
        const em = this.em.fork();
        const conversation = await em.findOneOrFail(Conversation, { id: ctx.conversationId });
        const inbox = await em.findOneOrFail(Inbox, { id: conversation.inbox.id });
        const outcome = await this.csat.send({
          conversation,
          inbox,
          resolutionKey: key,
          questionTemplate: inbox.settings.csat?.question ?? DEFAULT_INBOX_SETTINGS.csat.question,
          sentBy: null,
        });
        return `CSAT survey ${outcome.survey.id}`;
      }
      case 'move_to_inbox':
        await this.move.execute({ ...base, inboxId: action.inboxId! });
        return `moved to inbox ${action.inboxId}`;
      case 'mark_spam': {
        const r = await this.spam.execute(base);
        return r.changed ? 'marked as spam' : 'skipped: already spam';
      }
      case 'call_webhook':
        return this.callWebhook(action, ctx, key);
    }
  }

  /**
   * A rule.fired event through the outgoing webhook pipeline (signed, retried, logged like every
   * event) to the account's enabled endpoints that take rule.fired. Its message id derives from the
   * firing and the action's place, so a retried activity enqueues it once.
   */
  private async callWebhook(action: RuleAction, ctx: ActionContext, key: string): Promise<string> {
    const messageId = `msg_${createHash('md5').update(key).digest('hex')}`;
    const [row] = await this.em.fork().execute<{ id: string | null }[]>(
      `select webhook_enqueue(?, 'rule.fired', ?, jsonb_build_object('rule', ?::jsonb, 'firingId', ?::text, 'conversation', webhook_conversation_json(?), 'payload', ?::jsonb), false, null, ?) as id`,
      [ctx.accountId, ctx.conversationId, JSON.stringify(ctx.rule), ctx.firingId, ctx.conversationId, JSON.stringify(action.payload ?? {}), messageId],
    );
    return row?.id ? `webhook event ${row.id} (rule.fired) queued` : 'skipped: no enabled webhook endpoint takes rule.fired';
  }

  /**
   * Assign to an agent or a team through routing: the conversation joins its inbox's queue with that
   * target (leaving whoever held it) and the queue pass assigns it when the target has an online agent
   * under capacity; otherwise it waits there like any routed conversation.
   */
  private async assignThroughQueue(action: RuleAction, ctx: ActionContext): Promise<string> {
    const target = action.type === 'assign_agent' ? `agent:${action.userId}` : `team:${action.teamId}`;
    const inboxId = await this.em.fork().transactional(async (em) => {
      const conversation = await em.findOne(Conversation, { id: ctx.conversationId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!conversation) throw DomainError.notFound('conversation', ctx.conversationId);
      if (!['new', 'open', 'pending'].includes(conversation.status)) throw new DomainError('UNPROCESSABLE', `the conversation is ${conversation.status}: nothing to assign`);
      if (conversation.assigneeId) {
        await recordConversationEvent(em, { conversationId: conversation.id, type: 'unassigned', data: { assigneeId: conversation.assigneeId, reason: `rule "${ctx.rule.name}"` }, cause: ctx.cause });
      }
      conversation.assigneeId = null;
      conversation.queueTarget = target;
      conversation.queuedAt = new Date();
      await recordDecision(em, {
        conversationId: conversation.id,
        kind: 'routing',
        summary: `rule "${ctx.rule.name}" (v${ctx.rule.version}) -> ${action.type === 'assign_agent' ? 'agent' : 'team'} ${action.userId ?? action.teamId}: queued for them`,
        details: { ruleId: ctx.rule.id, ruleVersion: ctx.rule.version, firingId: ctx.firingId, target },
      });
      return conversation.inbox.id;
    });
    const drained = await this.drain.execute({ inboxId, trigger: `rule "${ctx.rule.name}"`, causeFor: { conversationId: ctx.conversationId, cause: ctx.cause } });
    const mine = drained.assigned.find((a) => a.conversationId === ctx.conversationId);
    return mine ? `assigned to ${mine.assigneeId}` : `queued for ${target} (nobody of them can take it now)`;
  }

  private async savedReply(id: string, accountId: string): Promise<string> {
    const [row] = await this.em.fork().execute<{ content: string }[]>(`select content from saved_replies where id = ? and account_id = ?`, [id, accountId]);
    if (!row) throw DomainError.notFound('saved reply', id);
    return row.content;
  }

  private async render(ctx: ActionContext, text: string): Promise<string> {
    const em = this.em.fork();
    const [c] = await em.execute<{ contact_id: string }[]>(`select contact_id from conversations where id = ?`, [ctx.conversationId]);
    return this.variables.renderFor(em, { accountId: ctx.accountId, contactId: c?.contact_id ?? null }, text);
  }
}
