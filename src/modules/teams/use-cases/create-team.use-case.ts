import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AccessPolicy } from '../../auth/access-policy';
import type { Actor } from '../../auth/actor';
import { flushTeam } from '../team-access';
import { Team } from '../team.entity';

export interface CreateTeamInput {
  actor: Actor;
  name: string;
}

/** Administrators create teams; the name is unique within the account (409). */
@Injectable()
export class CreateTeamUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
  ) {}

  async execute(input: CreateTeamInput): Promise<Team> {
    const { actor } = input;
    this.access.requireAdmin(actor, 'creating teams');
    const em = this.em.fork();
    const team = em.create(Team, { account: actor.accountId, name: input.name });
    await flushTeam(em, input.name);
    return team;
  }
}
