import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { uuidParam } from '../../common/validation';
import {
  ConversationView,
  ConversationWithMessagesView,
  InboundMessageDto,
  InboundMessageResultView,
  ListConversationsQuery,
  MessageView,
} from './dto/conversation.dto';
import { GetConversationUseCase } from './use-cases/get-conversation.use-case';
import { ListConversationsUseCase } from './use-cases/list-conversations.use-case';
import { ReceiveInboundMessageUseCase } from './use-cases/receive-inbound-message.use-case';

@ApiTags('conversations')
@Controller('api/v1')
export class ConversationsController {
  constructor(
    private readonly receiveInbound: ReceiveInboundMessageUseCase,
    private readonly getConversation: GetConversationUseCase,
    private readonly listConversations: ListConversationsUseCase,
  ) {}

  @Post('inboxes/:inboxId/inbound-messages')
  @HttpCode(201)
  @ApiOperation({ summary: 'API channel: a message from a contact arrives in the inbox' })
  async inbound(@Param('inboxId', uuidParam('inboxId')) inboxId: string, @Body() body: InboundMessageDto): Promise<InboundMessageResultView> {
    return this.receiveInbound.execute({ inboxId, ...body, expectChannel: 'api' });
  }

  @Get('conversations')
  async list(@Query() query: ListConversationsQuery): Promise<ConversationView[]> {
    return (await this.listConversations.execute(query)).map(ConversationView.of);
  }

  @Get('conversations/:id')
  async get(@Param('id', uuidParam('id')) id: string): Promise<ConversationWithMessagesView> {
    const { conversation, messages } = await this.getConversation.execute(id);
    return { ...ConversationView.of(conversation), messages: messages.map(MessageView.of) };
  }
}
