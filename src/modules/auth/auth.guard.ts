import { EntityManager } from '@mikro-orm/postgresql';
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '../../common/domain-error';
import { APP_CONFIG, ServiceConfig } from '../../config/config';
import type { Actor } from './actor';
import { PUBLIC_ROUTE } from './actor';
import { AuthToken } from './auth-token.entity';
import { hashToken } from './token';

/** Every route needs `Authorization: Bearer <session or API token>` unless marked @Public(). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()])) return true;
    const req = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; actor?: Actor }>();
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new DomainError('UNAUTHENTICATED', 'Authorization: a bearer token is required (log in, or use an API token)');
    const em = this.em.fork();
    const token = await em.findOne(AuthToken, { tokenHash: hashToken(match[1]) }, { populate: ['user'] });
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
