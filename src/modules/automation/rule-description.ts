/**
 * Rules in words, for the "test" and "why" answers: a trigger, an event the rules ran on, and what
 * each action would do to a conversation as it is now (described, never done: these functions only
 * read). Texts are rendered for the reader (hidden attributes as their default for non-administrators).
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../auth/actor';
import type { VariablesService } from '../variables/variables.service';
import type { ConversationFacts } from './automation-facts';
import { isTimeTrigger, type RuleAction, type RuleTrigger } from './automation-rule.types';
import { formatMinutes } from './use-cases/run-automation.use-case';

const PRIORITY_NAMES = ['none', 'low', 'medium', 'high', 'urgent'];

export function describeTrigger(trigger: RuleTrigger): string {
  const words = trigger.event.replace(/_/g, ' ');
  if (isTimeTrigger(trigger)) return `${words} for ${formatMinutes(trigger.minutes)}${trigger.status ? ` (${trigger.status})` : ''}`;
  if (trigger.event === 'status_changed') {
    const from = trigger.from?.length ? ` from ${trigger.from.join(' or ')}` : '';
    const to = trigger.to?.length ? ` to ${trigger.to.join(' or ')}` : '';
    return `${words}${from}${to}`;
  }
  if ((trigger.event === 'tag_added' || trigger.event === 'tag_removed') && trigger.tags?.length) return `${words} (${trigger.tags.join(' or ')})`;
  return words;
}

/** An event of the log (or a timer) as the rules saw it, in words. */
export function describeRunTrigger(trigger: Record<string, unknown>): string {
  const type = String(trigger.type ?? 'event');
  const words = type.replace(/_/g, ' ');
  if (typeof trigger.anchor === 'string') {
    const minutes = typeof trigger.minutes === 'number' ? ` for ${formatMinutes(trigger.minutes)}` : '';
    return `${words}${minutes} since ${trigger.anchor} (due ${String(trigger.dueAt ?? '?')})`;
  }
  const detail =
    type === 'status_changed' || type === 'priority_changed'
      ? ` (${String(trigger.from)} -> ${String(trigger.to)})`
      : type === 'tag_added' || type === 'tag_removed'
        ? ` (${String(trigger.tag)})`
        : '';
  const depth = Number(trigger.depth ?? 0);
  return `${words}${detail}${depth > 0 ? ` (caused by a rule, chain depth ${depth})` : ''}`;
}

export interface DescribedAction {
  type: RuleAction['type'];
  description: string;
  wouldChange: boolean;
  text?: string;
}

const excerpt = (s: string, n = 200) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** What each action would do to the conversation now (reads only). */
export async function describeActions(
  em: EntityManager,
  variables: VariablesService,
  actor: Actor,
  facts: ConversationFacts,
  actions: RuleAction[],
): Promise<DescribedAction[]> {
  const c = facts.conversation;
  const out: DescribedAction[] = [];
  const render = (text: string) => variables.renderFor(em, { accountId: actor.accountId, contactId: facts.contact.id, viewer: actor }, text);
  const active = ['new', 'open', 'pending'].includes(c.status);
  for (const a of actions) {
    switch (a.type) {
      case 'add_tag': {
        const has = c.tags.includes(a.tag!);
        out.push({ type: a.type, description: has ? `add tag "${a.tag}": it is there already, nothing changes` : `add tag "${a.tag}"`, wouldChange: !has });
        break;
      }
      case 'remove_tag': {
        const has = c.tags.includes(a.tag!);
        out.push({ type: a.type, description: has ? `remove tag "${a.tag}"` : `remove tag "${a.tag}": it is not there, nothing changes`, wouldChange: has });
        break;
      }
      case 'set_priority': {
        const same = c.priority === a.priority;
        out.push({
          type: a.type,
          description: same ? `set priority ${PRIORITY_NAMES[a.priority!]}: it is already, nothing changes` : `set priority ${PRIORITY_NAMES[c.priority] ?? c.priority} -> ${PRIORITY_NAMES[a.priority!]}`,
          wouldChange: !same,
        });
        break;
      }
      case 'set_status': {
        const same = c.status === a.status;
        out.push({ type: a.type, description: same ? `set status ${a.status}: it is ${a.status} already, skipped` : `set status ${c.status} -> ${a.status}`, wouldChange: !same });
        break;
      }
      case 'unassign':
        out.push({
          type: a.type,
          description: c.assigneeId ? `unassign ${facts.assignee?.name ?? c.assigneeId}` : 'unassign: nobody holds it, skipped',
          wouldChange: c.assigneeId !== null,
        });
        break;
      case 'assign_agent': {
        const [u] = await em.execute<{ name: string }[]>(`select name from users where id = ?`, [a.userId]);
        const name = u?.name ?? a.userId;
        out.push({
          type: a.type,
          description: active
            ? `assign to ${name} through routing: queued for them, assigned when they are online and under capacity${c.assigneeId && c.assigneeId !== a.userId ? ` (${facts.assignee?.name ?? c.assigneeId} would leave it)` : ''}`
            : `assign to ${name}: fails, the conversation is ${c.status}`,
          wouldChange: active && c.assigneeId !== a.userId,
        });
        break;
      }
      case 'assign_team': {
        const [t] = await em.execute<{ name: string }[]>(`select name from teams where id = ?`, [a.teamId]);
        out.push({
          type: a.type,
          description: active
            ? `assign to team "${t?.name ?? a.teamId}" through routing: queued for its members, assigned to one who is online and under capacity`
            : `assign to team "${t?.name ?? a.teamId}": fails, the conversation is ${c.status}`,
          wouldChange: active,
        });
        break;
      }
      case 'send_message': {
        const text = await render(a.content!);
        out.push({ type: a.type, description: `send the message "${excerpt(text)}"`, wouldChange: true, text });
        break;
      }
      case 'send_saved_reply': {
        const [r] = await em.execute<{ shortcut: string; content: string }[]>(`select shortcut, content from saved_replies where id = ? and account_id = ?`, [a.savedReplyId, actor.accountId]);
        if (!r) {
          out.push({ type: a.type, description: `send saved reply ${a.savedReplyId}: fails, it was deleted`, wouldChange: false });
          break;
        }
        const text = await render(r.content);
        out.push({ type: a.type, description: `send saved reply "${r.shortcut}": "${excerpt(text)}"`, wouldChange: true, text });
        break;
      }
      case 'add_note': {
        const text = await render(a.content!);
        out.push({ type: a.type, description: `add the private note "${excerpt(text)}"`, wouldChange: true, text });
        break;
      }
      case 'send_csat':
        out.push({ type: a.type, description: 'send the CSAT survey', wouldChange: true });
        break;
      case 'move_to_inbox': {
        const [i] = await em.execute<{ name: string }[]>(`select name from inboxes where id = ?`, [a.inboxId]);
        const same = c.inboxId === a.inboxId;
        out.push({ type: a.type, description: same ? `move to inbox "${i?.name}": it is there already, fails` : `move to inbox "${i?.name ?? a.inboxId}"`, wouldChange: !same });
        break;
      }
      case 'mark_spam':
        out.push({ type: a.type, description: c.status === 'spam' ? 'mark as spam: it is spam already, skipped' : 'mark as spam', wouldChange: c.status !== 'spam' });
        break;
      case 'call_webhook':
        out.push({ type: a.type, description: `send a rule.fired webhook event${a.payload ? ` with the payload ${excerpt(JSON.stringify(a.payload))}` : ''} to the endpoints that take it`, wouldChange: true });
        break;
    }
  }
  return out;
}
