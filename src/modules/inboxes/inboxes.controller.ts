import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/api-errors';
import { uuidParam } from '../../common/validation';
import { type Actor, CurrentActor } from '../auth/actor';
import { CreateInboxDto, InboxView, MemberView, SetMemberDto, UpdateInboxDto } from './dto/inbox.dto';
import type { InboxMembership } from './inbox-membership.entity';
import { CreateInboxUseCase } from './use-cases/create-inbox.use-case';
import { DeleteInboxUseCase } from './use-cases/delete-inbox.use-case';
import { GetInboxUseCase } from './use-cases/get-inbox.use-case';
import { ListInboxMembersUseCase } from './use-cases/list-inbox-members.use-case';
import { ListInboxesUseCase } from './use-cases/list-inboxes.use-case';
import { RemoveInboxMemberUseCase } from './use-cases/remove-inbox-member.use-case';
import { SetInboxMemberUseCase } from './use-cases/set-inbox-member.use-case';
import { UpdateInboxUseCase } from './use-cases/update-inbox.use-case';

const memberView = (m: InboxMembership): MemberView => {
  const user = m.user.getEntity();
  return { userId: user.id, name: user.name, email: user.email, role: m.role };
};

@ApiTags('inboxes')
@Controller('api/v1/inboxes')
export class InboxesController {
  constructor(
    private readonly createInbox: CreateInboxUseCase,
    private readonly updateInbox: UpdateInboxUseCase,
    private readonly deleteInbox: DeleteInboxUseCase,
    private readonly getInbox: GetInboxUseCase,
    private readonly listInboxes: ListInboxesUseCase,
    private readonly listMembers: ListInboxMembersUseCase,
    private readonly setMember: SetInboxMemberUseCase,
    private readonly removeMember: RemoveInboxMemberUseCase,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create an inbox (administrators); settings are merged into the defaults' })
  @ApiCreatedResponse({ type: InboxView })
  @ApiErrors({ FORBIDDEN: 'Needs the account administrator role' })
  async create(@CurrentActor() actor: Actor, @Body() body: CreateInboxDto): Promise<InboxView> {
    return InboxView.of(await this.createInbox.execute({ ...body, actor }), 'admin');
  }

  @Get()
  @ApiOperation({ summary: 'The inboxes the caller is a member of (administrators: all), with their role' })
  @ApiOkResponse({ type: [InboxView] })
  async list(@CurrentActor() actor: Actor): Promise<InboxView[]> {
    return (await this.listInboxes.execute({ actor })).map(({ inbox, role }) => InboxView.of(inbox, role));
  }

  @Get(':id')
  @ApiOperation({ summary: 'An inbox with its settings (members)' })
  @ApiOkResponse({ type: InboxView })
  @ApiErrors({ FORBIDDEN: 'Not a member of the inbox' })
  async get(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<InboxView> {
    const { inbox, role } = await this.getInbox.execute({ actor, inboxId: id });
    return InboxView.of(inbox, role);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename the inbox, change its welcome message or settings (managers); settings are merged' })
  @ApiOkResponse({ type: InboxView })
  @ApiErrors({ FORBIDDEN: 'Needs the manager role in the inbox' })
  async update(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string, @Body() body: UpdateInboxDto): Promise<InboxView> {
    const { inbox, role } = await this.updateInbox.execute({ ...body, actor, inboxId: id });
    return InboxView.of(inbox, role);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete the inbox with its conversations (administrators)' })
  @ApiNoContentResponse()
  @ApiErrors({ FORBIDDEN: 'Needs the account administrator role' })
  async remove(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<void> {
    await this.deleteInbox.execute({ actor, inboxId: id });
  }

  @Get(':id/members')
  @ApiOperation({ summary: "The inbox's members and their roles (members)" })
  @ApiOkResponse({ type: [MemberView] })
  @ApiErrors({ FORBIDDEN: 'Not a member of the inbox' })
  async members(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<MemberView[]> {
    return (await this.listMembers.execute({ actor, inboxId: id })).map(memberView);
  }

  @Put(':id/members/:userId')
  @ApiOperation({ summary: 'Add a user of the account to the inbox or change their role (managers)' })
  @ApiOkResponse({ type: MemberView })
  @ApiErrors({ FORBIDDEN: 'Needs the manager role in the inbox' })
  async putMember(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Param('userId', uuidParam('userId')) userId: string,
    @Body() body: SetMemberDto,
  ): Promise<MemberView> {
    return memberView(await this.setMember.execute({ actor, inboxId: id, userId, role: body.role }));
  }

  @Delete(':id/members/:userId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a member from the inbox (managers)' })
  @ApiNoContentResponse()
  @ApiErrors({ FORBIDDEN: 'Needs the manager role in the inbox' })
  async deleteMember(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Param('userId', uuidParam('userId')) userId: string,
  ): Promise<void> {
    await this.removeMember.execute({ actor, inboxId: id, userId });
  }
}
