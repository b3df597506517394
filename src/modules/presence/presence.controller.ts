import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/api-errors';
import { uuidParam } from '../../common/validation';
import { type Actor, CurrentActor } from '../auth/actor';
import { HeartbeatView, InboxAgentsView, PresenceView, SetPresenceDto } from './dto/presence.dto';
import { HeartbeatUseCase } from './use-cases/heartbeat.use-case';
import { ListInboxAgentsUseCase } from './use-cases/list-inbox-agents.use-case';
import { SetPresenceUseCase } from './use-cases/set-presence.use-case';

@ApiTags('presence')
@Controller('api/v1')
export class PresenceController {
  constructor(
    private readonly heartbeat: HeartbeatUseCase,
    private readonly listAgents: ListInboxAgentsUseCase,
    private readonly presence: SetPresenceUseCase,
  ) {}

  @Get('presence')
  @ApiOperation({ summary: "The caller's presence (online or offline)" })
  @ApiOkResponse({ type: PresenceView })
  current(@CurrentActor() actor: Actor): Promise<PresenceView> {
    return this.presence.get(actor);
  }

  @Put('presence')
  @ApiOperation({
    summary: 'Go online or offline (the presence switch)',
    description: 'Offline counts as a logout for routing (no new conversations; auto-unassign after its grace period) while the session stays; online as a login. Send heartbeats only while online: a heartbeat brings an offline agent back online.',
  })
  @ApiOkResponse({ type: PresenceView })
  set(@CurrentActor() actor: Actor, @Body() body: SetPresenceDto): Promise<PresenceView> {
    return this.presence.set(actor, body.online);
  }

  @Post('presence/heartbeat')
  @HttpCode(200)
  @ApiOperation({ summary: 'Keep the caller online; without one for PRESENCE_HEARTBEAT_TIMEOUT_SECONDS the session counts as lost' })
  @ApiOkResponse({ type: HeartbeatView })
  beat(@CurrentActor() actor: Actor): Promise<HeartbeatView> {
    return this.heartbeat.execute({ actor });
  }

  @Get('inboxes/:inboxId/agents')
  @ApiOperation({ summary: "The inbox's agents: online or not, load against capacity; and how many conversations wait" })
  @ApiOkResponse({ type: InboxAgentsView })
  @ApiErrors({ FORBIDDEN: 'Not a member of the inbox' })
  agents(@CurrentActor() actor: Actor, @Param('inboxId', uuidParam('inboxId')) inboxId: string): Promise<InboxAgentsView> {
    return this.listAgents.execute({ actor, inboxId });
  }
}
