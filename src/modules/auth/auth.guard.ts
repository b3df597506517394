import { EntityManager } from '@mikro-orm/postgresql';
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '../../common/domain-error';
import { APP_CONFIG, ServiceConfig } from '../../config/config';
import type { Actor } from './actor';
import { PUBLIC_ROUTE, STREAM_TICKET_ROUTE } from './actor';
import { AuthToken } from './auth-token.entity';
import { hashToken } from './token';

/**
 * Every route needs `Authorization: Bearer <session or API token>` unless marked @Public(). Routes
 * marked @AcceptsStreamTicket() (the event stream) also take `?ticket=` instead: a single-use ticket
 * that stands for the token that asked for it.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()])) return true;
    const req = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; query?: Record<string, unknown>; actor?: Actor }>();
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const em = this.em.fork();
    let token: AuthToken | null;
    if (match) {
      token = await em.findOne(AuthToken, { tokenHash: hashToken(match[1]) }, { populate: ['user'] });
    } else if (typeof req.query?.ticket === 'string' && !header && this.reflector.getAllAndOverride<boolean>(STREAM_TICKET_ROUTE, [context.getHandler(), context.getClass()])) {
      // Single use: the row goes whether or not it is still valid.
      const [ticket] = await em.execute<{ token_id: string; live: boolean }[]>(
        `delete from live_event_tickets where ticket_hash = ? returning token_id, expires_at > now() as live`,
        [hashToken(req.query.ticket)],
      );
      if (!ticket?.live) throw new DomainError('UNAUTHENTICATED', 'ticket: the stream ticket is unknown, used or expired (ask POST /api/v1/events/ticket for a new one)');
      token = await em.findOne(AuthToken, { id: ticket.token_id }, { populate: ['user'] });
    } else {
      throw new DomainError('UNAUTHENTICATED', 'Authorization: a bearer token is required (log in, or use an API token)');
    }
    const now = new Date();
    const user = token?.user.getEntity();
    if (!token || !user || token.revokedAt || (token.expiresAt && token.expiresAt <= now) || user.disabledAt) {
      throw new DomainError('UNAUTHENTICATED', 'Authorization: the token is unknown, expired or revoked');
    }
    // Sliding expiry for sessions; write at most once a minute.
    if (now.getTime() - token.lastSeenAt.getTime() > 60_000) {
      await em.nativeUpdate(
        AuthToken,
        { id: token.id },
        {
          lastSeenAt: now,
          ...(token.kind === 'session' ? { expiresAt: new Date(now.getTime() + this.config.auth.sessionTtlHours * 3600_000) } : {}),
        },
      );
    }
    req.actor = {
      userId: user.id,
      accountId: user.account.id,
      name: user.name,
      isAdmin: user.isAdmin,
      tokenId: token.id,
      tokenKind: token.kind,
    };
    return true;
  }
}
