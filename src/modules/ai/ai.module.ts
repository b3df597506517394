import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/conversations.module';
import { MessageAssistantController } from './message-assistant.controller';
import { OpenAiClient } from './openai.client';
import { AiAgentReplyUseCase } from './use-cases/ai-agent-reply.use-case';
import { DraftCampaignMessageUseCase } from './use-cases/draft-campaign-message.use-case';

/**
 * The AI agent (answers conversations routed to it, hands over to humans), the Message Assistant
 * (drafts campaign messages: POST /api/v1/message-assistant/drafts) and the shared OpenAI client.
 */
@Module({
  imports: [ConversationsModule],
  controllers: [MessageAssistantController],
  providers: [OpenAiClient, AiAgentReplyUseCase, DraftCampaignMessageUseCase],
  exports: [OpenAiClient, AiAgentReplyUseCase, DraftCampaignMessageUseCase],
})
export class AiModule {}
