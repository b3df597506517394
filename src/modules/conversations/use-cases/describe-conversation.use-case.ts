import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { ConversationSnapshot } from '../../../../workflows/contracts/conversation.contract';
import type { CsatSettings } from '../../inboxes/inbox-settings';

export interface DescribeConversationInput {
  conversationId: string;
}

/** The columns a snapshot is made of (routing reads them in its own statement). */
export interface SnapshotRow {
  inbox_id: string;
  channel_type: string;
  status: string;
  assignee_id: string | null;
  handler: 'human' | 'ai';
  resolved_at: Date | string | null;
  vip: boolean;
  csat: Partial<CsatSettings> | null | undefined;
}

/** The workflow's snapshot of an existing conversation from its columns. */
export function snapshotOf(c: SnapshotRow): ConversationSnapshot {
  return {
    exists: true,
    inboxId: c.inbox_id,
    channel: c.channel_type,
    status: c.status,
    assigneeId: c.assignee_id,
    vip: c.vip,
    handler: c.handler,
    resolvedAt: c.status === 'resolved' && c.resolved_at ? new Date(c.resolved_at).toISOString() : null,
    csat: { enabled: c.csat?.enabled === true, delaySeconds: c.csat?.delaySeconds ?? 0 },
  };
}

/**
 * What the conversation workflow needs to know of its conversation now (search attributes, CSAT
 * timing). One query: it runs after every routing and every change.
 */
@Injectable()
export class DescribeConversationUseCase {
  constructor(private readonly em: EntityManager) {}

  async execute(input: DescribeConversationInput): Promise<ConversationSnapshot> {
    const [c] = await this.em.fork().execute<SnapshotRow[]>(
      `select c.inbox_id, c.channel_type, c.status, c.assignee_id, c.handler, c.resolved_at, ct.vip, i.settings -> 'csat' as csat
         from conversations c join contacts ct on ct.id = c.contact_id join inboxes i on i.id = c.inbox_id
        where c.id = ?`,
      [input.conversationId],
    );
    if (!c) {
      return { exists: false, inboxId: '', channel: '', status: 'deleted', assigneeId: null, vip: false, handler: 'human', resolvedAt: null, csat: { enabled: false, delaySeconds: 0 } };
    }
    return snapshotOf(c);
  }
}
