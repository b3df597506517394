import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { AccessPolicy } from '../../auth/access-policy';
import type { Actor } from '../../auth/actor';
import { findTeam } from '../team-access';
import { TeamMember } from '../team.entity';

export interface RemoveTeamMemberInput {
  actor: Actor;
  teamId: string;
  userId: string;
}

/** Administrators remove a user from a team (404 when the user is not in it). */
@Injectable()
export class RemoveTeamMemberUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
  ) {}

  async execute(input: RemoveTeamMemberInput): Promise<void> {
    const { actor, teamId, userId } = input;
    this.access.requireAdmin(actor, 'changing team members');
    const em = this.em.fork();
    const team = await findTeam(em, actor, teamId);
    const removed = await em.nativeDelete(TeamMember, { team: team.id, user: userId });
    if (removed === 0) throw DomainError.notFound('team member', userId);
  }
}
