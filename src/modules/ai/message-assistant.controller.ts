import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/api-errors';
import { type Actor, CurrentActor } from '../auth/actor';
import { DraftCampaignMessageDto, MessageDraftView } from './dto/message-assistant.dto';
import { DraftCampaignMessageUseCase } from './use-cases/draft-campaign-message.use-case';

@ApiTags('message-assistant')
@Controller('api/v1/message-assistant')
export class MessageAssistantController {
  constructor(private readonly draftMessage: DraftCampaignMessageUseCase) {}

  @Post('drafts')
  @HttpCode(200)
  @ApiOperation({
    summary: 'A campaign message draft from topic, tone and campaign type, written by the OpenAI model; nothing is stored or sent',
    description:
      'Administrators and managers of at least one inbox (members 403). Needs the account setting messageAssistantEnabled (403 naming it) ' +
      'and OPENAI_API_KEY on the server (503 naming it); a failed, timed-out or empty model call is a 503 naming the cause. ' +
      'SMS drafts are at most 320 characters: a longer answer is cut at a sentence end (shortened: true, see notes).',
  })
  @ApiOkResponse({ type: MessageDraftView })
  @ApiErrors({
    FORBIDDEN: 'messageAssistantEnabled is off, or the caller is neither an administrator nor a manager of an inbox',
    DEPENDENCY_UNAVAILABLE: 'OPENAI_API_KEY is not set, or the model failed, timed out or answered nothing',
  })
  async draft(@CurrentActor() actor: Actor, @Body() body: DraftCampaignMessageDto): Promise<MessageDraftView> {
    return this.draftMessage.execute({ ...body, actor });
  }
}
