import { EntityManager, type FilterQuery } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { SavedReplyAccess } from '../saved-reply-access';
import { SavedReply } from '../saved-reply.entity';

export interface ListSavedRepliesInput {
  actor: Actor;
  q?: string;
  inboxId?: string;
  limit?: number;
}

/** `%`, `_` and `\` taken literally in a LIKE pattern. */
const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The replies the caller can use: personal ones, those of the inboxes they belong to (or just
 * `inboxId`) and those of their teams. With `q`: shortcut-prefix matches first, then text matches.
 */
@Injectable()
export class ListSavedRepliesUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly replies: SavedReplyAccess,
  ) {}

  async execute(input: ListSavedRepliesInput): Promise<{ replies: SavedReply[]; canEdit: (r: SavedReply) => boolean }> {
    const { actor } = input;
    const em = this.em.fork();
    const limit = input.limit ?? 50;
    const { inboxIds, teamIds } = await this.replies.readableScopes(em, actor, input.inboxId);
    const scopes: FilterQuery<SavedReply>[] = [{ scope: 'personal', scopeId: actor.userId }];
    if (inboxIds.length) scopes.push({ scope: 'inbox', scopeId: { $in: inboxIds } });
    if (teamIds.length) scopes.push({ scope: 'team', scopeId: { $in: teamIds } });
    const usable = { account: actor.accountId, $or: scopes };
    const orderBy = { shortcut: 'asc', scope: 'asc', id: 'asc' } as const;

    const q = input.q?.trim() ?? '';
    let replies: SavedReply[];
    if (!q) {
      replies = await em.find(SavedReply, usable, { orderBy, limit });
    } else {
      const key = q.toLowerCase().replace(/^\//, '');
      const byShortcut = key ? await em.find(SavedReply, { $and: [usable, { shortcut: { $like: `${escapeLike(key)}%` } }] }, { orderBy, limit }) : [];
      const seen = byShortcut.map((r) => r.id);
      const byText =
        byShortcut.length < limit
          ? await em.find(
              SavedReply,
              { $and: [usable, { content: { $ilike: `%${escapeLike(q)}%` } }, ...(seen.length ? [{ id: { $nin: seen } }] : [])] },
              { orderBy, limit: limit - byShortcut.length },
            )
          : [];
      replies = [...byShortcut, ...byText];
    }
    return { replies, canEdit: await this.replies.editChecker(em, actor) };
  }
}
