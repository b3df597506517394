import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/api-errors';
import { uuidParam } from '../../common/validation';
import { type Actor, CurrentActor } from '../auth/actor';
import { ConversationReadModel } from './conversation-read-model';
import {
  AssignDto,
  ConversationPageView,
  ConversationView,
  ConversationWithMessagesView,
  InboundMessageDto,
  InboundMessageResultView,
  ListConversationsQuery,
  MessageView,
  MoveDto,
  NoteDto,
  NoteResultView,
  ReplyDto,
  ReplyResultView,
  SetTagsDto,
  StartConversationDto,
  StartConversationResultView,
  UpdateConversationDto,
} from './dto/conversation.dto';
import { TimelineQuery, TimelineView } from './dto/timeline.dto';
import { AddConversationNoteUseCase } from './use-cases/add-conversation-note.use-case';
import { AddConversationTagsUseCase } from './use-cases/add-conversation-tags.use-case';
import { AssignConversationUseCase } from './use-cases/assign-conversation.use-case';
import { GetConversationUseCase } from './use-cases/get-conversation.use-case';
import { GetConversationTimelineUseCase } from './use-cases/get-conversation-timeline.use-case';
import { ListConversationsUseCase } from './use-cases/list-conversations.use-case';
import { MarkConversationSpamUseCase } from './use-cases/mark-conversation-spam.use-case';
import { MoveConversationUseCase } from './use-cases/move-conversation.use-case';
import { ReceiveInboundMessageUseCase } from './use-cases/receive-inbound-message.use-case';
import { RemoveConversationTagUseCase } from './use-cases/remove-conversation-tag.use-case';
import { ReopenConversationUseCase } from './use-cases/reopen-conversation.use-case';
import { ReplyToConversationUseCase } from './use-cases/reply-to-conversation.use-case';
import { ResolveConversationUseCase } from './use-cases/resolve-conversation.use-case';
import { SetConversationPinnedUseCase } from './use-cases/set-conversation-pinned.use-case';
import { SetConversationPendingUseCase } from './use-cases/set-conversation-pending.use-case';
import { SetConversationReadUseCase } from './use-cases/set-conversation-read.use-case';
import { SetConversationTagsUseCase } from './use-cases/set-conversation-tags.use-case';
import { StartConversationUseCase } from './use-cases/start-conversation.use-case';
import { UpdateConversationUseCase } from './use-cases/update-conversation.use-case';

/** Conversations as the caller sees them; every action answers the conversation in its new state. */
@ApiTags('conversations')
@ApiErrors({ FORBIDDEN: 'Not a member of the inbox, or the role or assignment the action needs (the message says which)' })
@Controller('api/v1')
export class ConversationsController {
  constructor(
    private readonly receiveInbound: ReceiveInboundMessageUseCase,
    private readonly startConversation: StartConversationUseCase,
    private readonly getConversation: GetConversationUseCase,
    private readonly listConversations: ListConversationsUseCase,
    private readonly updateConversation: UpdateConversationUseCase,
    private readonly setRead: SetConversationReadUseCase,
    private readonly setPinned: SetConversationPinnedUseCase,
    private readonly setTags: SetConversationTagsUseCase,
    private readonly addTags: AddConversationTagsUseCase,
    private readonly removeTag: RemoveConversationTagUseCase,
    private readonly assignConversation: AssignConversationUseCase,
    private readonly replyToConversation: ReplyToConversationUseCase,
    private readonly addNote: AddConversationNoteUseCase,
    private readonly resolveConversation: ResolveConversationUseCase,
    private readonly setPending: SetConversationPendingUseCase,
    private readonly markSpam: MarkConversationSpamUseCase,
    private readonly reopenConversation: ReopenConversationUseCase,
    private readonly moveConversation: MoveConversationUseCase,
    private readonly readModel: ConversationReadModel,
    private readonly getTimeline: GetConversationTimelineUseCase,
  ) {}

  private view(actor: Actor, id: string): Promise<ConversationView> {
    return this.readModel.item(id, actor.userId);
  }

  @Post('inboxes/:inboxId/inbound-messages')
  @HttpCode(201)
  @ApiOperation({ summary: 'API channel: a message from a contact arrives in the inbox' })
  @ApiCreatedResponse({ type: InboundMessageResultView })
  @ApiErrors({ UNPROCESSABLE: 'The inbox is not an API inbox', DEPENDENCY_UNAVAILABLE: 'Stored, but the conversation workflow could not be told (Temporal unreachable); retry with the same externalId' })
  async inbound(
    @CurrentActor() actor: Actor,
    @Param('inboxId', uuidParam('inboxId')) inboxId: string,
    @Body() body: InboundMessageDto,
  ): Promise<InboundMessageResultView> {
    return this.receiveInbound.execute({ ...body, actor, inboxId, expectChannel: 'api' });
  }

  @Post('inboxes/:inboxId/conversations')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Start a conversation: the first message goes to a contact through the inbox\'s channel',
    description:
      'Members of the inbox. One of contactId (a contact you may see), phone (SMS inboxes) or email (email inboxes; subject optional); ' +
      'a new number or address becomes a contact. SMS via Twilio, email via SMTP, API inboxes record it. The conversation is open, ' +
      'assigned to you in assignment mode. 400 names a field that does not fit the channel; 409 for a contact who opted out of the ' +
      'channel, or (SMS, API) one who already has an active conversation in the inbox (reply there).',
  })
  @ApiCreatedResponse({ type: StartConversationResultView })
  @ApiErrors({
    CONFLICT: 'The contact opted out of the channel, or (SMS, API) already has an active conversation in the inbox',
    UNPROCESSABLE: 'The contact has no address for this channel, or the channel cannot send',
    DEPENDENCY_UNAVAILABLE: 'Temporal or the provider did not answer; nothing was kept',
  })
  async start(
    @CurrentActor() actor: Actor,
    @Param('inboxId', uuidParam('inboxId')) inboxId: string,
    @Body() body: StartConversationDto,
  ): Promise<StartConversationResultView> {
    const started = await this.startConversation.execute({ ...body, actor, inboxId });
    return { conversation: await this.view(actor, started.conversationId), message: MessageView.of(started.message), contactId: started.contactId };
  }

  @Get('conversations')
  @ApiOperation({
    summary: 'List conversations',
    description:
      'One inbox (inboxId) or every inbox the caller is a member of. Spam is left out unless status=spam. ' +
      'Sorted by last_activity (default), newest, oldest or priority; pages by cursor (nextCursor, null at the end).',
  })
  @ApiOkResponse({ type: ConversationPageView })
  @ApiErrors({ NOT_FOUND: 'inboxId names no inbox of the account' })
  async list(@CurrentActor() actor: Actor, @Query() query: ListConversationsQuery): Promise<ConversationPageView> {
    return this.listConversations.execute({ ...query, actor });
  }

  @Get('conversations/:id')
  @ApiOperation({ summary: 'A conversation with all its messages' })
  @ApiOkResponse({ type: ConversationWithMessagesView })
  async get(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<ConversationWithMessagesView> {
    const { conversation, messages } = await this.getConversation.execute({ actor, conversationId: id });
    return { ...conversation, messages: messages.map(MessageView.of) };
  }

  @Get('conversations/:id/timeline')
  @ApiOperation({
    summary: "What happened: the conversation's messages and the decisions taken about it, in order",
    description:
      'Messages and recorded decisions (routing, assignment, out-of-office, AI agent, handover, CSAT, ...) merged oldest first; ' +
      'pages of up to 500 (default 200) by cursor (pass nextCursor as after). Same access as reading the conversation.',
  })
  @ApiOkResponse({ type: TimelineView })
  async timeline(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string, @Query() query: TimelineQuery): Promise<TimelineView> {
    return this.getTimeline.execute({ actor, conversationId: id, after: query.after, limit: query.limit });
  }

  @Patch('conversations/:id')
  @ApiOperation({ summary: 'Change the priority (0 none .. 4 urgent)' })
  @ApiOkResponse({ type: ConversationView })
  async update(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string, @Body() body: UpdateConversationDto): Promise<ConversationView> {
    await this.updateConversation.execute({ actor, conversationId: id, priority: body.priority });
    return this.view(actor, id);
  }

  @Post('conversations/:id/read')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark read for the caller only' })
  @ApiOkResponse({ type: ConversationView })
  async read(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<ConversationView> {
    await this.setRead.execute({ actor, conversationId: id, read: true });
    return this.view(actor, id);
  }

  @Post('conversations/:id/unread')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark unread for the caller only' })
  @ApiOkResponse({ type: ConversationView })
  async unread(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<ConversationView> {
    await this.setRead.execute({ actor, conversationId: id, read: false });
    return this.view(actor, id);
  }

  @Put('conversations/:id/pin')
  @ApiOperation({ summary: 'Pin for the caller only' })
  @ApiOkResponse({ type: ConversationView })
  async pin(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<ConversationView> {
    await this.setPinned.execute({ actor, conversationId: id, pinned: true });
    return this.view(actor, id);
  }

  @Delete('conversations/:id/pin')
  @ApiOperation({ summary: "Remove the caller's pin" })
  @ApiOkResponse({ type: ConversationView })
  async unpin(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<ConversationView> {
    await this.setPinned.execute({ actor, conversationId: id, pinned: false });
    return this.view(actor, id);
  }

  @Put('conversations/:id/tags')
  @ApiOperation({ summary: 'Replace the tags (trimmed, lower-cased, at most 50 of 50 characters)' })
  @ApiOkResponse({ type: ConversationView })
  async putTags(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string, @Body() body: SetTagsDto): Promise<ConversationView> {
    await this.setTags.execute({ actor, conversationId: id, tags: body.tags });
    return this.view(actor, id);
  }

  @Post('conversations/:id/tags')
  @HttpCode(200)
  @ApiOperation({ summary: 'Add tags, keeping the existing ones' })
  @ApiOkResponse({ type: ConversationView })
  async postTags(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string, @Body() body: SetTagsDto): Promise<ConversationView> {
    await this.addTags.execute({ actor, conversationId: id, tags: body.tags });
    return this.view(actor, id);
  }

  @Delete('conversations/:id/tags/:tag')
  @ApiOperation({ summary: 'Remove one tag' })
  @ApiOkResponse({ type: ConversationView })
  async deleteTag(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string, @Param('tag') tag: string): Promise<ConversationView> {
    await this.removeTag.execute({ actor, conversationId: id, tag });
    return this.view(actor, id);
  }

  @Put('conversations/:id/assignee')
  @ApiOperation({
    summary: 'Assign, reassign or unassign (assigneeId null)',
    description:
      'Managers and administrators: anyone who may hold the conversation, in either mode. Team members: in assignment mode ' +
      'themselves on an unassigned conversation (409 when someone holds it) and give back their own; in open mode nothing but giving back.',
  })
  @ApiOkResponse({ type: ConversationView })
  @ApiErrors({ CONFLICT: 'Someone else holds the conversation', UNPROCESSABLE: 'assigneeId is not an active member of the inbox' })
  async assign(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string, @Body() body: AssignDto): Promise<ConversationView> {
    await this.assignConversation.execute({ actor, conversationId: id, assigneeId: body.assigneeId });
    return this.view(actor, id);
  }

  @Post('conversations/:id/self-assign')
  @HttpCode(200)
  @ApiOperation({ summary: 'Assign the conversation to the caller (same rules as PUT assignee)' })
  @ApiOkResponse({ type: ConversationView })
  @ApiErrors({ CONFLICT: 'Someone else holds the conversation', UNPROCESSABLE: 'The caller is not an active member of the inbox' })
  async selfAssign(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<ConversationView> {
    await this.assignConversation.execute({ actor, conversationId: id, assigneeId: actor.userId });
    return this.view(actor, id);
  }

  @Post('conversations/:id/messages')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Reply: store an outbound message and deliver it through the channel',
    description:
      'Open mode: any member. Assignment mode: only the assignee (managers and administrators assign it to themselves first). ' +
      'A new conversation becomes open. The same idempotencyKey never sends twice.',
  })
  @ApiCreatedResponse({ type: ReplyResultView })
  @ApiErrors({
    UNPROCESSABLE: 'The conversation was closed as spam, or the channel cannot send (settings missing, secrets unreadable)',
    DEPENDENCY_UNAVAILABLE: 'The provider did not answer: the message stays queued; retry with the same idempotencyKey',
  })
  async reply(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string, @Body() body: ReplyDto): Promise<ReplyResultView> {
    const { message, duplicate } = await this.replyToConversation.execute({ ...body, actor, conversationId: id });
    return { message: MessageView.of(message), duplicate, conversation: await this.view(actor, id) };
  }

  @Post('conversations/:id/notes')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Private note: stored for the members of the inbox, never sent to the customer',
    description:
      'Any member of the inbox, in either mode. Shown with the messages (direction internal, senderType note) and in the timeline; ' +
      'it changes no status, triggers no welcome, out-of-office or routing, and is no agent reply. The same idempotencyKey stores it once.',
  })
  @ApiCreatedResponse({ type: NoteResultView })
  async note(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string, @Body() body: NoteDto): Promise<NoteResultView> {
    const { message, duplicate } = await this.addNote.execute({ ...body, actor, conversationId: id });
    return { message: MessageView.of(message), duplicate };
  }

  @Post('conversations/:id/resolve')
  @HttpCode(200)
  @ApiOperation({ summary: 'Close the conversation (status resolved)' })
  @ApiOkResponse({ type: ConversationView })
  @ApiErrors({ UNPROCESSABLE: 'The conversation was closed as spam; reopen it first' })
  async resolve(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<ConversationView> {
    await this.resolveConversation.execute({ actor, conversationId: id });
    return this.view(actor, id);
  }

  @Post('conversations/:id/pending')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Wait on the customer (status pending)',
    description:
      'Any member of the inbox, in either mode (as for resolve). New and open conversations become pending; a resolved or spam one ' +
      'is 422 (reopen it first). The customer\'s next message moves it back to new.',
  })
  @ApiOkResponse({ type: ConversationView })
  @ApiErrors({ UNPROCESSABLE: 'The conversation is resolved or spam; reopen it first' })
  async pending(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<ConversationView> {
    await this.setPending.execute({ actor, conversationId: id });
    return this.view(actor, id);
  }

  @Post('conversations/:id/spam')
  @HttpCode(200)
  @ApiOperation({ summary: 'Close as spam: status spam (hidden from default lists), contact marked spam' })
  @ApiOkResponse({ type: ConversationView })
  async spam(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<ConversationView> {
    await this.markSpam.execute({ actor, conversationId: id });
    return this.view(actor, id);
  }

  @Post('conversations/:id/reopen')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reopen a resolved or spam conversation (status open)' })
  @ApiOkResponse({ type: ConversationView })
  @ApiErrors({ UNPROCESSABLE: 'The conversation is not resolved or spam' })
  async reopen(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<ConversationView> {
    await this.reopenConversation.execute({ actor, conversationId: id });
    return this.view(actor, id);
  }

  @Post('conversations/:id/move')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Move to another inbox',
    description: 'Needs the account setting allowMoveBetweenInboxes; the target must be an inbox of the same channel type the caller belongs to.',
  })
  @ApiOkResponse({ type: ConversationView })
  @ApiErrors({ FORBIDDEN: 'allowMoveBetweenInboxes is off, or the caller is not a member of both inboxes', UNPROCESSABLE: 'The target is the same inbox or of another channel type' })
  async move(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string, @Body() body: MoveDto): Promise<ConversationView> {
    await this.moveConversation.execute({ actor, conversationId: id, inboxId: body.inboxId });
    return this.view(actor, id);
  }
}
