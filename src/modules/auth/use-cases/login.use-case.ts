import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { APP_CONFIG, ServiceConfig } from '../../../config/config';
import { User } from '../../users/user.entity';
import { LoginThrottle } from '../login-throttle';
import { DUMMY_HASH, verifyPassword } from '../password';
import { PresenceEvents } from '../presence-events';
import { issueSession } from '../issue-session';

export interface LoginInput {
  email: string;
  password: string;
  /** Where the request came from (req.ip: X-Forwarded-For behind a trusted proxy), for the limits per client. */
  clientAddress: string;
}

/** Email and password for a session token; failed attempts are limited per e-mail and client address (LoginThrottle). */
@Injectable()
export class LoginUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly throttle: LoginThrottle,
    private readonly presence: PresenceEvents,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async execute(input: LoginInput): Promise<{ token: string; user: User }> {
    const email = input.email.trim().toLowerCase();
    // Counted as a failure until the password proves right (see LoginThrottle).
    const attempt = await this.throttle.admit({ email, clientAddress: input.clientAddress });
    const em = this.em.fork();
    const user = await em.findOne(User, { email });
    const ok = await verifyPassword(input.password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok || user.disabledAt) throw new DomainError('UNAUTHENTICATED', 'email or password is wrong');
    await this.throttle.succeeded(attempt);
    const { token, session } = issueSession(em, user, this.config.auth.sessionTtlHours);
    await em.flush();
    await this.presence.publish({ type: 'login', userId: user.id, accountId: user.account.id, tokenId: session.id, at: new Date() });
    return { token, user };
  }
}
