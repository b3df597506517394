import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AccessPolicy } from '../../auth/access-policy';
import type { Actor } from '../../auth/actor';
import { cursorKeySql, cursorTimeSql, decodeCursor, encodeCursor } from '../../../common/keyset-cursor';
import type { DeletedContactPageView } from '../dto/contact.dto';

export interface ListDeletedContactsInput {
  actor: Actor;
  /** Default 100. */
  limit?: number;
  /** nextCursor of the previous page. */
  cursor?: string;
}

/** The audit log of deleted contacts, newest first (administrators). */
@Injectable()
export class ListDeletedContactsUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
  ) {}

  async execute(input: ListDeletedContactsInput): Promise<DeletedContactPageView> {
    const { actor } = input;
    this.access.requireAdmin(actor, 'listing deleted contacts');
    const limit = input.limit ?? 100;
    const after = input.cursor ? decodeCursor(input.cursor) : null;
    const params: unknown[] = [actor.accountId];
    let where = 'd.account_id = ?';
    if (after) {
      where += ` and (d.deleted_at, d.id) < (${cursorTimeSql}, ?::uuid)`;
      params.push(after.createdAt, after.id);
    }
    params.push(limit + 1);
    const rows = await this.em.fork().execute<
      { id: string; masked_hint: string; channel_type: string | null; deleted_at: Date | string; deleted_by_user_id: string; deleted_by_name: string; sort_key: string }[]
    >(
      `select d.id, d.masked_hint, d.channel_type, d.deleted_at, d.deleted_by_user_id, d.deleted_by_name, ${cursorKeySql('d.deleted_at')} as sort_key
       from deleted_contacts d where ${where} order by d.deleted_at desc, d.id desc limit ?`,
      params,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => ({
        id: r.id,
        maskedHint: r.masked_hint,
        channelType: r.channel_type,
        deletedAt: new Date(r.deleted_at).toISOString(),
        deletedByUserId: r.deleted_by_user_id,
        deletedByName: r.deleted_by_name,
      })),
      nextCursor: rows.length > limit && last ? encodeCursor(last.sort_key, last.id) : null,
    };
  }
}
