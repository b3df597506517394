import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
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
@ApiBearerAuth()
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
  async create(@CurrentActor() actor: Actor, @Body() body: CreateInboxDto): Promise<InboxView> {
    return InboxView.of(await this.createInbox.execute({ ...body, actor }), 'admin');
  }

  @Get()
  async list(@CurrentActor() actor: Actor): Promise<InboxView[]> {
    return (await this.listInboxes.execute({ actor })).map(({ inbox, role }) => InboxView.of(inbox, role));
  }

  @Get(':id')
  async get(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<InboxView> {
    const { inbox, role } = await this.getInbox.execute({ actor, inboxId: id });
    return InboxView.of(inbox, role);
  }

  @Patch(':id')
  async update(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string, @Body() body: UpdateInboxDto): Promise<InboxView> {
    const { inbox, role } = await this.updateInbox.execute({ ...body, actor, inboxId: id });
    return InboxView.of(inbox, role);
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<void> {
    await this.deleteInbox.execute({ actor, inboxId: id });
  }

  @Get(':id/members')
  async members(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<MemberView[]> {
    return (await this.listMembers.execute({ actor, inboxId: id })).map(memberView);
  }

  @Put(':id/members/:userId')
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
  async deleteMember(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Param('userId', uuidParam('userId')) userId: string,
  ): Promise<void> {
    await this.removeMember.execute({ actor, inboxId: id, userId });
  }
}
