import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { StreamAccess } from './live-event-visibility';
import type { AccessCheck } from './live-stream';

/**
 * What a stream's caller may see, read in one statement: the token still valid (not revoked, not
 * expired, user not disabled), the administrator role, and the inbox memberships with their roles.
 */
@Injectable()
export class StreamAccessReader {
  constructor(private readonly em: EntityManager) {}

  async read(tokenId: string, userId: string): Promise<AccessCheck> {
    const rows = await this.em.fork().execute<{ account_id: string; is_admin: boolean; valid: boolean; roles: { inboxId: string; role: 'member' | 'manager' }[] }[]>(
      `select u.account_id, u.is_admin,
              (t.revoked_at is null and (t.expires_at is null or t.expires_at > now()) and u.disabled_at is null) as valid,
              coalesce((select json_agg(json_build_object('inboxId', m.inbox_id, 'role', m.role))
                          from inbox_memberships m join inboxes i on i.id = m.inbox_id
                         where m.user_id = u.id and i.account_id = u.account_id), '[]'::json) as roles
         from auth_tokens t join users u on u.id = t.user_id
        where t.id = ? and u.id = ?`,
      [tokenId, userId],
    );
    const row = rows[0];
    if (!row || !row.valid) return { end: 'the session or token ended (logged out, revoked, expired or the user was disabled)' };
    const access: StreamAccess = {
      accountId: row.account_id,
      userId,
      isAdmin: row.is_admin,
      roles: new Map(row.is_admin ? [] : row.roles.map((r) => [r.inboxId, r.role] as const)),
    };
    return { access };
  }
}
