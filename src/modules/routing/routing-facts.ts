/**
 * The facts routing rules are evaluated against (attribute paths like "contact.vip",
 * "message.content", "conversation.channel", "inbox.name", "contact.attributes.plan").
 * RouteConversationUseCase reads what they need in the statement that locks the conversation.
 */
export interface RoutingFactsInput {
  conversation: { id: string; status: string; channelType: string; priority: number; createdAt: Date };
  tags: string[];
  message?: { content: string; createdAt: Date };
  contact: { id: string; name: string | null; email: string | null; phone: string | null; vip: boolean; platformAttributes: Record<string, unknown> | null; attributes: Record<string, unknown> | null };
  inbox: { id: string; name: string; channelType: string };
}

export function routingFacts({ conversation, tags, message, contact, inbox }: RoutingFactsInput): Record<string, unknown> {
  return {
    conversation: {
      id: conversation.id,
      status: conversation.status,
      channel: conversation.channelType,
      priority: conversation.priority,
      tags,
      createdAt: conversation.createdAt.toISOString(),
    },
    message: message ? { content: message.content, createdAt: message.createdAt.toISOString() } : {},
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
