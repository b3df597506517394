import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AccessPolicy } from '../auth/access-policy';
import { type Actor, CurrentActor } from '../auth/actor';
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
@ApiBearerAuth()
@Controller('api/v1')
export class ConversationsController {
  constructor(
    private readonly receiveInbound: ReceiveInboundMessageUseCase,
    private readonly getConversation: GetConversationUseCase,
    private readonly listConversations: ListConversationsUseCase,
    private readonly access: AccessPolicy,
  ) {}

  @Post('inboxes/:inboxId/inbound-messages')
  @HttpCode(201)
  @ApiOperation({ summary: 'API channel: a message from a contact arrives in the inbox' })
  async inbound(
    @CurrentActor() actor: Actor,
    @Param('inboxId', uuidParam('inboxId')) inboxId: string,
    @Body() body: InboundMessageDto,
  ): Promise<InboundMessageResultView> {
    await this.access.requireMember(actor, inboxId);
    return this.receiveInbound.execute({ inboxId, ...body, expectChannel: 'api' });
  }

  @Get('conversations')
  async list(@CurrentActor() actor: Actor, @Query() query: ListConversationsQuery): Promise<ConversationView[]> {
    await this.access.requireMember(actor, query.inboxId);
    return (await this.listConversations.execute(query)).map(ConversationView.of);
  }

  @Get('conversations/:id')
  async get(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<ConversationWithMessagesView> {
    const { conversation, messages } = await this.getConversation.execute(actor, id);
    return { ...ConversationView.of(conversation), messages: messages.map(MessageView.of) };
  }
}
