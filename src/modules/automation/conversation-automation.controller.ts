import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { uuidParam } from '../../common/validation';
import { type Actor, CurrentActor } from '../auth/actor';
import { ConversationAutomationQuery, ConversationAutomationView } from './dto/automation-explain.dto';
import { ExplainConversationAutomationUseCase } from './use-cases/explain-conversation-automation.use-case';

/** "Why did rule X (not) fire on conversation Y": the automation module's answer under the conversation. */
@ApiTags('automation-rules')
@ApiBearerAuth()
@Controller('api/v1/conversations')
export class ConversationAutomationController {
  constructor(private readonly explain: ExplainConversationAutomationUseCase) {}

  @Get(':id/automation')
  @ApiOperation({
    summary: 'Why rules (did not) fire on this conversation: their last evaluations, newest first',
    description:
      "Each pass of the rules over an event or a due timer: every rule whose trigger matched, with its version, trace, outcome (fired, not_matched, skipped) and the actions' outcomes. " +
      'With ruleId: that rule only, and when it has none, the reasons (scope, disabled, created after the events, trigger never matched, timer state). Managers of the inbox and administrators.',
  })
  @ApiOkResponse({ type: ConversationAutomationView })
  async automation(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string, @Query() query: ConversationAutomationQuery): Promise<ConversationAutomationView> {
    return this.explain.execute({ ...query, actor, conversationId: id });
  }
}
