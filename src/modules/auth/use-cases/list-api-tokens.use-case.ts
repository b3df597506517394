import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../actor';
import { AuthToken } from '../auth-token.entity';

@Injectable()
export class ListApiTokensUseCase {
  constructor(private readonly em: EntityManager) {}

  async execute(actor: Actor): Promise<AuthToken[]> {
    return this.em.fork().find(AuthToken, { user: actor.userId, kind: 'api' }, { orderBy: { createdAt: 'asc' } });
  }
}
