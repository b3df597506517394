/**
 * Custom search attributes that keep workflows filterable in the Temporal UI.
 * The local dev server registers exactly these (see src/local-stack/temporal-dev-server.ts).
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const InboxId = defineSearchAttributeKey('InboxId', SearchAttributeType.KEYWORD);
export const ConversationStatus = defineSearchAttributeKey('ConversationStatus', SearchAttributeType.KEYWORD);
export const AssigneeId = defineSearchAttributeKey('AssigneeId', SearchAttributeType.KEYWORD);
export const Channel = defineSearchAttributeKey('Channel', SearchAttributeType.KEYWORD);
export const Vip = defineSearchAttributeKey('Vip', SearchAttributeType.BOOL);

export const ALL_SEARCH_ATTRIBUTES = [InboxId, ConversationStatus, AssigneeId, Channel, Vip] as const;

/** Value used for AssigneeId when nobody holds the conversation (Keyword attributes cannot be null in queries). */
export const UNASSIGNED = 'unassigned';
