import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AccessPolicy } from '../../auth/access-policy';
import type { Actor } from '../../auth/actor';
import type { ChannelType } from '../../inboxes/inbox.entity';
import type { ConversationStatus } from '../conversation.entity';
import { ConversationReadModel, type ConversationItem, type ConversationSort } from '../conversation-read-model';
import { normaliseTag } from '../tags';

export interface ListConversationsInput {
  inboxId?: string;
  status?: ConversationStatus;
  assignee?: string;
  tag?: string;
  channel?: ChannelType;
  vip?: boolean;
  unread?: boolean;
  pinned?: boolean;
  q?: string;
  sort?: ConversationSort;
  cursor?: string;
  limit?: number;
}

/** The caller's conversation list: one inbox, or every inbox they may see; filtered, sorted, by cursor. */
@Injectable()
export class ListConversationsUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
    private readonly readModel: ConversationReadModel,
  ) {}

  async execute(actor: Actor, input: ListConversationsInput): Promise<{ items: ConversationItem[]; nextCursor: string | null }> {
    const em = this.em.fork();
    const inboxIds = input.inboxId
      ? [(await this.access.requireMember(actor, input.inboxId, em)).inbox.id]
      : await this.access.visibleInboxIds(actor, em);
    return this.readModel.list(
      {
        inboxIds,
        userId: actor.userId,
        accountId: actor.accountId,
        status: input.status,
        assignee: input.assignee?.toLowerCase(),
        tag: input.tag === undefined ? undefined : normaliseTag(input.tag),
        channel: input.channel,
        vip: input.vip,
        unread: input.unread,
        pinned: input.pinned,
        q: input.q,
        sort: input.sort ?? 'last_activity',
        cursor: input.cursor,
        limit: input.limit ?? 25,
      },
      em,
    );
  }
}
