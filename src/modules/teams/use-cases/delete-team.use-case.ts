import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AccessPolicy } from '../../auth/access-policy';
import type { Actor } from '../../auth/actor';
import { SavedReply } from '../../saved-replies/saved-reply.entity';
import { findTeam } from '../team-access';
import { Team } from '../team.entity';

export interface DeleteTeamInput {
  actor: Actor;
  teamId: string;
}

/** Administrators delete teams: memberships go with it (cascade), and so do its shared saved replies. */
@Injectable()
export class DeleteTeamUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessPolicy,
  ) {}

  async execute(input: DeleteTeamInput): Promise<void> {
    const { actor } = input;
    this.access.requireAdmin(actor, 'deleting teams');
    await this.em.fork().transactional(async (tx) => {
      const team = await findTeam(tx, actor, input.teamId);
      await tx.nativeDelete(SavedReply, { account: actor.accountId, scope: 'team', scopeId: team.id });
      await tx.nativeDelete(Team, { id: team.id });
    });
  }
}
