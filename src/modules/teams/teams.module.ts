import { Module } from '@nestjs/common';
import { TeamsController } from './teams.controller';
import { CreateTeamUseCase } from './use-cases/create-team.use-case';
import { DeleteTeamUseCase } from './use-cases/delete-team.use-case';
import { GetTeamUseCase } from './use-cases/get-team.use-case';
import { ListTeamsUseCase } from './use-cases/list-teams.use-case';
import { RemoveTeamMemberUseCase } from './use-cases/remove-team-member.use-case';
import { SetTeamMemberUseCase } from './use-cases/set-team-member.use-case';
import { UpdateTeamUseCase } from './use-cases/update-team.use-case';

/** Teams group users across inboxes; administrators manage them, everyone in the account reads them. */
@Module({
  controllers: [TeamsController],
  providers: [CreateTeamUseCase, ListTeamsUseCase, GetTeamUseCase, UpdateTeamUseCase, DeleteTeamUseCase, SetTeamMemberUseCase, RemoveTeamMemberUseCase],
})
export class TeamsModule {}
