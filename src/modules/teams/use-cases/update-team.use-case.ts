import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AccessPolicy } from '../../auth/access-policy';
import type { Actor } from '../../auth/actor';
import { findTeam, findTeamWithMembers, flushTeam, type TeamWithMembers } from '../team-access';

export interface UpdateTeamInput {
  actor: Actor;
  teamId: string;
  name?: string;
}

/** Administrators rename teams (409 when another team has the name). */
@Injectable()
export class UpdateTeamUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
  ) {}

  async execute(input: UpdateTeamInput): Promise<TeamWithMembers> {
    const { actor, teamId } = input;
    this.access.requireAdmin(actor, 'changing teams');
    const em = this.em.fork();
    const team = await findTeam(em, actor, teamId);
    if (input.name !== undefined) team.name = input.name;
    await flushTeam(em, team.name);
    return findTeamWithMembers(em, actor, teamId);
  }
}
