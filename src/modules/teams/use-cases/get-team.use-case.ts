import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { findTeamWithMembers, type TeamWithMembers } from '../team-access';

export interface GetTeamInput {
  actor: Actor;
  teamId: string;
}

/** A team with its members (by name); anyone in the account. */
@Injectable()
export class GetTeamUseCase {
  constructor(private readonly em: EntityManager) {}

  async execute(input: GetTeamInput): Promise<TeamWithMembers> {
    return findTeamWithMembers(this.em.fork(), input.actor, input.teamId);
  }
}
