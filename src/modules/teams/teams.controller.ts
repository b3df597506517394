import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/api-errors';
import { uuidParam } from '../../common/validation';
import { type Actor, CurrentActor } from '../auth/actor';
import { CreateTeamDto, TeamMemberView, TeamView, TeamWithMembersView, UpdateTeamDto } from './dto/team.dto';
import { CreateTeamUseCase } from './use-cases/create-team.use-case';
import { DeleteTeamUseCase } from './use-cases/delete-team.use-case';
import type { TeamWithMembers } from './team-access';
import { GetTeamUseCase } from './use-cases/get-team.use-case';
import { ListTeamsUseCase } from './use-cases/list-teams.use-case';
import { RemoveTeamMemberUseCase } from './use-cases/remove-team-member.use-case';
import { SetTeamMemberUseCase } from './use-cases/set-team-member.use-case';
import { UpdateTeamUseCase } from './use-cases/update-team.use-case';

const withMembers = ({ team, members }: TeamWithMembers, callerId: string): TeamWithMembersView => ({
  ...TeamView.of(
    team,
    members.map((m) => m.id),
    callerId,
  ),
  members: members.map(TeamMemberView.of),
});

@ApiTags('teams')
@Controller('api/v1/teams')
export class TeamsController {
  constructor(
    private readonly createTeam: CreateTeamUseCase,
    private readonly listTeams: ListTeamsUseCase,
    private readonly getTeam: GetTeamUseCase,
    private readonly updateTeam: UpdateTeamUseCase,
    private readonly deleteTeam: DeleteTeamUseCase,
    private readonly setMember: SetTeamMemberUseCase,
    private readonly removeMember: RemoveTeamMemberUseCase,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a team (administrators)' })
  @ApiCreatedResponse({ type: TeamView })
  @ApiErrors({ FORBIDDEN: 'Needs the account administrator role', CONFLICT: 'A team with this name exists' })
  async create(@CurrentActor() actor: Actor, @Body() body: CreateTeamDto): Promise<TeamView> {
    return TeamView.of(await this.createTeam.execute({ actor, name: body.name }), [], actor.userId);
  }

  @Get()
  @ApiOperation({ summary: "The account's teams" })
  @ApiOkResponse({ type: [TeamView] })
  async list(@CurrentActor() actor: Actor): Promise<TeamView[]> {
    return (await this.listTeams.execute({ actor })).map(({ team, memberIds }) => TeamView.of(team, memberIds, actor.userId));
  }

  @Get(':id')
  @ApiOperation({ summary: 'A team with its members' })
  @ApiOkResponse({ type: TeamWithMembersView })
  async get(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<TeamWithMembersView> {
    return withMembers(await this.getTeam.execute({ actor, teamId: id }), actor.userId);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename a team (administrators)' })
  @ApiOkResponse({ type: TeamWithMembersView })
  @ApiErrors({ FORBIDDEN: 'Needs the account administrator role', CONFLICT: 'A team with this name exists' })
  async update(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string, @Body() body: UpdateTeamDto): Promise<TeamWithMembersView> {
    return withMembers(await this.updateTeam.execute({ actor, teamId: id, name: body.name }), actor.userId);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: "Delete a team and its shared saved replies (administrators)" })
  @ApiNoContentResponse()
  @ApiErrors({ FORBIDDEN: 'Needs the account administrator role' })
  async remove(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<void> {
    await this.deleteTeam.execute({ actor, teamId: id });
  }

  @Put(':id/members/:userId')
  @ApiOperation({ summary: 'Add a user of the account to the team (administrators)' })
  @ApiOkResponse({ type: TeamMemberView })
  @ApiErrors({ FORBIDDEN: 'Needs the account administrator role' })
  async putMember(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Param('userId', uuidParam('userId')) userId: string,
  ): Promise<TeamMemberView> {
    return TeamMemberView.of(await this.setMember.execute({ actor, teamId: id, userId }));
  }

  @Delete(':id/members/:userId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a user from the team (administrators)' })
  @ApiNoContentResponse()
  @ApiErrors({ FORBIDDEN: 'Needs the account administrator role' })
  async deleteMember(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Param('userId', uuidParam('userId')) userId: string,
  ): Promise<void> {
    await this.removeMember.execute({ actor, teamId: id, userId });
  }
}
