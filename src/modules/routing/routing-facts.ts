import type { EntityManager } from '@mikro-orm/postgresql';
import type { Contact } from '../contacts/contact.entity';
import type { Conversation } from '../conversations/conversation.entity';
import type { Inbox } from '../inboxes/inbox.entity';

/**
 * The facts routing rules are evaluated against (attribute paths like "contact.vip",
 * "message.content", "conversation.channel", "inbox.name", "contact.attributes.plan").
 */
export async function routingFacts(
  em: EntityManager,
  conversation: Conversation,
  inbox: Inbox,
  contact: Contact,
  messageId?: string,
): Promise<Record<string, unknown>> {
  const tags = await em.execute<{ tag: string }[]>(`select tag from conversation_tags where conversation_id = ? order by tag`, [conversation.id]);
  const message = messageId
    ? (await em.execute<{ content: string; created_at: Date }[]>(`select content, created_at from messages where id = ? and conversation_id = ?`, [messageId, conversation.id]))[0]
    : undefined;
  return {
    conversation: {
      id: conversation.id,
      status: conversation.status,
      channel: conversation.channelType,
      priority: conversation.priority,
      tags: tags.map((t) => t.tag),
      createdAt: conversation.createdAt.toISOString(),
    },
    message: message ? { content: message.content, createdAt: new Date(message.created_at).toISOString() } : {},
    contact: {
      id: contact.id,
      name: contact.name,
      email: contact.email,
      phone: contact.phone,
      vip: contact.vip,
      attributes: { ...contact.platformAttributes, ...contact.attributes },
    },
    inbox: { id: inbox.id, name: inbox.name, channel: inbox.channelType },
  };
}
