import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import type { User } from '../../users/user.entity';
import { findTeam } from '../team-access';
import { Team, TeamMember } from '../team.entity';

export interface TeamWithMembers {
  team: Team;
  members: User[];
}

/** A team with its members (by name); anyone in the account. */
@Injectable()
export class GetTeamUseCase {
  constructor(private readonly em: EntityManager) {}

  async execute(actor: Actor, id: string, em: EntityManager = this.em.fork()): Promise<TeamWithMembers> {
    const team = await findTeam(em, actor, id);
    const rows = await em.find(TeamMember, { team: team.id }, { populate: ['user'] });
    const members = rows.map((r) => r.user.getEntity()).sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    return { team, members };
  }
}
