import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/api-errors';
import { uuidParam } from '../../common/validation';
import { type Actor, CurrentActor } from '../auth/actor';
import { HeartbeatView, InboxAgentsView } from './dto/presence.dto';
import { HeartbeatUseCase } from './use-cases/heartbeat.use-case';
import { ListInboxAgentsUseCase } from './use-cases/list-inbox-agents.use-case';

@ApiTags('presence')
@Controller('api/v1')
export class PresenceController {
  constructor(
    private readonly heartbeat: HeartbeatUseCase,
    private readonly listAgents: ListInboxAgentsUseCase,
  ) {}

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
