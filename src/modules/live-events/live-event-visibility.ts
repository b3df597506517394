import type { LiveEventAudience } from './live-event.entity';

/** One row of live_events as the hub reads it. */
export interface LiveEventRecord {
  /** The bigserial id as a number (ids stay far below 2^53). */
  id: number;
  accountId: string;
  inboxId: string | null;
  conversationId: string | null;
  userId: string | null;
  audience: LiveEventAudience;
  type: string;
  payload: Record<string, unknown>;
  createdAt: Date;
  /** The SSE frame, serialised once for every stream that receives it. */
  frame?: string;
}

/** What one stream's caller may see, read from the database when the stream opens and whenever it may have changed. */
export interface StreamAccess {
  accountId: string;
  userId: string;
  isAdmin: boolean;
  /** Inbox id -> role, for non-administrators (administrators see every inbox of their account). */
  roles: ReadonlyMap<string, 'member' | 'manager'>;
}

/**
 * Whether the caller may receive the event, the one rule for live delivery and for replay:
 *  - never an event of another account;
 *  - an event addressed to a user (access changes) only to that user;
 *  - an inbox's event only to its members (administrators: every inbox of the account);
 *  - a managers' event (campaign progress) only to the inbox's managers and the administrators;
 *  - an account-wide event (no inbox: presence) to everyone in the account (managers' ones to administrators).
 */
export function mayReceive(access: StreamAccess, event: Pick<LiveEventRecord, 'accountId' | 'inboxId' | 'userId' | 'audience'>): boolean {
  if (event.accountId !== access.accountId) return false;
  if (event.userId !== null && event.userId !== access.userId) return false;
  if (access.isAdmin) return true;
  if (event.inboxId === null) return event.audience === 'members';
  const role = access.roles.get(event.inboxId);
  if (!role) return false;
  return event.audience === 'members' || role === 'manager';
}
