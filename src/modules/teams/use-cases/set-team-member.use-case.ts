import { randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { AccessPolicy } from '../../auth/access-policy';
import type { Actor } from '../../auth/actor';
import { User } from '../../users/user.entity';
import { findTeam } from '../team-access';

export interface SetTeamMemberInput {
  actor: Actor;
  teamId: string;
  userId: string;
}

/** Administrators add a user of the account to a team; adding a member again changes nothing. */
@Injectable()
export class SetTeamMemberUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
  ) {}

  async execute(input: SetTeamMemberInput): Promise<User> {
    const { actor, teamId, userId } = input;
    this.access.requireAdmin(actor, 'changing team members');
    const em = this.em.fork();
    const team = await findTeam(em, actor, teamId);
    const user = await em.findOne(User, { id: userId, account: actor.accountId });
    if (!user) throw DomainError.notFound('user', userId);
    await em.execute(`insert into team_members (id, team_id, user_id) values (?, ?, ?) on conflict (team_id, user_id) do nothing`, [
      randomUUID(),
      team.id,
      user.id,
    ]);
    return user;
  }
}
