import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { User } from '../../users/user.entity';
import type { Actor } from '../actor';

export interface GetCurrentUserInput {
  actor: Actor;
}

/** The user the caller's token belongs to (GET /auth/me). */
@Injectable()
export class GetCurrentUserUseCase {
  constructor(private readonly em: EntityManager) {}

  async execute(input: GetCurrentUserInput): Promise<User> {
    return this.em.fork().findOneOrFail(User, { id: input.actor.userId });
  }
}
