import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AccessPolicy } from '../../auth/access-policy';
import type { Actor } from '../../auth/actor';
import { ConversationReadModel, type ConversationItem, type ConversationListQuery } from '../conversation-read-model';
import { normaliseTag } from '../tags';

/** The list query as callers give it: one inbox or none (= all visible), sort and limit optional. */
export type ListConversationsInput = Partial<Omit<ConversationListQuery, 'inboxIds' | 'userId' | 'accountId'>> & { actor: Actor; inboxId?: string };

/** The caller's conversation list: one inbox, or every inbox they may see; filtered, sorted, by cursor. */
@Injectable()
export class ListConversationsUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
    private readonly readModel: ConversationReadModel,
  ) {}

  async execute(input: ListConversationsInput): Promise<{ items: ConversationItem[]; nextCursor: string | null }> {
    const { actor } = input;
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
