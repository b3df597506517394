/**
 * Query keys and small shared hooks of the conversations screens. Live updates come from the
 * console's event stream (console/src/live/): conversation.* and message.* events refetch the
 * lists and the conversation they name.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../../api/client';
import { useLiveEvent } from '../../live/LiveEvents';

export type Conversation = Schemas['ConversationView'];
export type ConversationWithMessages = Schemas['ConversationWithMessagesView'];
export type ConversationStatus = Conversation['status'];

export const conversationKeys = {
  all: ['conversations'] as const,
  list: (filters: Record<string, string | boolean | undefined>) => ['conversations', 'list', filters] as const,
  one: (id: string) => ['conversations', 'one', id] as const,
};

export const STATUS_LABEL: Record<ConversationStatus, string> = { new: 'New', open: 'Open', pending: 'Pending', resolved: 'Resolved', spam: 'Spam' };
export const STATUS_COLOR: Record<ConversationStatus, string> = { new: 'blue', open: 'green', pending: 'yellow', resolved: 'gray', spam: 'red' };
export const CHANNEL_LABEL: Record<Conversation['channelType'], string> = { sms: 'SMS', email: 'Email', api: 'API' };

const LIVE_TYPES = [
  'conversation.created',
  'conversation.updated',
  'conversation.deleted',
  'conversation.assigned',
  'conversation.unassigned',
  'message.created',
  'message.updated',
] as const;

/** Keeps the conversation lists and the named conversation fresh from the live event stream. */
export function useConversationsLive(): void {
  const queryClient = useQueryClient();
  useLiveEvent(LIVE_TYPES, (event) => {
    void queryClient.invalidateQueries({ queryKey: ['conversations', 'list'] });
    void queryClient.invalidateQueries({ queryKey: conversationKeys.one(event.data.conversationId) });
  });
}

/** The agents of an inbox (names, online, load) — for assignee names and the assign picker. */
export function useInboxAgents(inboxId: string | undefined) {
  return useQuery({
    queryKey: ['inbox-agents', inboxId],
    queryFn: () => unwrap(api.GET('/api/v1/inboxes/{inboxId}/agents', { params: { path: { inboxId: inboxId! } } })),
    enabled: !!inboxId,
    staleTime: 30_000,
  });
}

/** "3 min", "2 h", "5 d" since a moment; the full date in the title. */
export function since(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (s < 60) return 'now';
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86400)} d`;
}
