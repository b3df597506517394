import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { User } from '../user.entity';

export interface ListUsersInput {
  actor: Actor;
}

/** Everyone in the caller's account (agents need names to assign and mention). */
@Injectable()
export class ListUsersUseCase {
  constructor(private readonly em: EntityManager) {}

  async execute(input: ListUsersInput): Promise<User[]> {
    return this.em.fork().find(User, { account: input.actor.accountId }, { orderBy: { name: 'asc', id: 'asc' } });
  }
}
