import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { DomainError } from '../../common/domain-error';
import type { Actor } from '../auth/actor';
import type { User } from '../users/user.entity';
import { Team, TeamMember } from './team.entity';

export interface TeamWithMembers {
  team: Team;
  members: User[];
}

/** A team of the caller's account; another account's team does not exist for the caller (404). */
export async function findTeam(em: EntityManager, actor: Actor, id: string): Promise<Team> {
  const team = await em.findOne(Team, { id, account: actor.accountId });
  if (!team) throw DomainError.notFound('team', id);
  return team;
}

/** A team of the caller's account with its members, by name (404 like findTeam). */
export async function findTeamWithMembers(em: EntityManager, actor: Actor, id: string): Promise<TeamWithMembers> {
  const team = await findTeam(em, actor, id);
  const rows = await em.find(TeamMember, { team: team.id }, { populate: ['user'] });
  const members = rows.map((r) => r.user.getEntity()).sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  return { team, members };
}

/** Ids of the teams the user belongs to. */
export async function teamIdsOf(em: EntityManager, userId: string): Promise<string[]> {
  const rows = await em.find(TeamMember, { user: userId }, { fields: ['team'] });
  return rows.map((r) => r.team.id);
}

/** Flushes; a duplicate team name becomes a 409 naming `name`. */
export async function flushTeam(em: EntityManager, name: string): Promise<void> {
  try {
    await em.flush();
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) {
      throw new DomainError('CONFLICT', `name: a team named "${name}" already exists in this account`, [
        { field: 'name', problem: 'already exists in this account' },
      ]);
    }
    throw err;
  }
}
