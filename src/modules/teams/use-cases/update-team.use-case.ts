import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AccessPolicy } from '../../auth/access-policy';
import type { Actor } from '../../auth/actor';
import { findTeam, flushTeam } from '../team-access';
import { GetTeamUseCase, type TeamWithMembers } from './get-team.use-case';

/** Administrators rename teams (409 when another team has the name). */
@Injectable()
export class UpdateTeamUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
    private readonly getTeam: GetTeamUseCase,
  ) {}

  async execute(actor: Actor, id: string, input: { name?: string }): Promise<TeamWithMembers> {
    this.access.requireAdmin(actor, 'changing teams');
    const em = this.em.fork();
    const team = await findTeam(em, actor, id);
    if (input.name !== undefined) team.name = input.name;
    await flushTeam(em, team.name);
    return this.getTeam.execute(actor, id, em);
  }
}
