import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../auth/actor';
import { Team, TeamMember } from '../team.entity';

export interface ListTeamsInput {
  actor: Actor;
}

/** Every team of the account, with its member ids; anyone in the account may read them. */
@Injectable()
export class ListTeamsUseCase {
  constructor(private readonly em: EntityManager) {}

  async execute(input: ListTeamsInput): Promise<{ team: Team; memberIds: string[] }[]> {
    const em = this.em.fork();
    const teams = await em.find(Team, { account: input.actor.accountId }, { orderBy: { name: 'asc', id: 'asc' } });
    const rows = teams.length ? await em.find(TeamMember, { team: { $in: teams.map((t) => t.id) } }) : [];
    const byTeam = new Map<string, string[]>();
    for (const m of rows) byTeam.set(m.team.id, [...(byTeam.get(m.team.id) ?? []), m.user.id]);
    return teams.map((team) => ({ team, memberIds: byTeam.get(team.id) ?? [] }));
  }
}
