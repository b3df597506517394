import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/api-errors';
import { uuidParam } from '../../common/validation';
import { type Actor, CurrentActor } from '../auth/actor';
import {
  CreateSavedReplyDto,
  ListSavedRepliesQuery,
  RenderedSavedReplyView,
  RenderSavedReplyDto,
  SavedReplyView,
  UpdateSavedReplyDto,
} from './dto/saved-reply.dto';
import { CreateSavedReplyUseCase } from './use-cases/create-saved-reply.use-case';
import { DeleteSavedReplyUseCase } from './use-cases/delete-saved-reply.use-case';
import { ListSavedRepliesUseCase } from './use-cases/list-saved-replies.use-case';
import { RenderSavedReplyUseCase } from './use-cases/render-saved-reply.use-case';
import { UpdateSavedReplyUseCase } from './use-cases/update-saved-reply.use-case';

@ApiTags('saved-replies')
@Controller('api/v1/saved-replies')
export class SavedRepliesController {
  constructor(
    private readonly createReply: CreateSavedReplyUseCase,
    private readonly listReplies: ListSavedRepliesUseCase,
    private readonly updateReply: UpdateSavedReplyUseCase,
    private readonly deleteReply: DeleteSavedReplyUseCase,
    private readonly renderReply: RenderSavedReplyUseCase,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a personal, inbox or team saved reply' })
  @ApiCreatedResponse({ type: SavedReplyView })
  @ApiErrors({ FORBIDDEN: 'Inbox replies need the manager role in the inbox, team replies the administrator role', NOT_FOUND: 'inboxId or teamId names nothing of the account', CONFLICT: 'The shortcut is used by another reply in this scope' })
  async create(@CurrentActor() actor: Actor, @Body() body: CreateSavedReplyDto): Promise<SavedReplyView> {
    return SavedReplyView.of(await this.createReply.execute({ ...body, actor }), true);
  }

  @Get()
  @ApiOperation({ summary: 'The saved replies you can use (personal, your inboxes, your teams); q looks up by shortcut prefix, then text' })
  @ApiOkResponse({ type: [SavedReplyView] })
  async list(@CurrentActor() actor: Actor, @Query() query: ListSavedRepliesQuery): Promise<SavedReplyView[]> {
    const { replies, canEdit } = await this.listReplies.execute({ ...query, actor });
    return replies.map((r) => SavedReplyView.of(r, canEdit(r)));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change the shortcut or text of a saved reply you may edit' })
  @ApiOkResponse({ type: SavedReplyView })
  @ApiErrors({ FORBIDDEN: 'Inbox replies need the manager role in the inbox, team replies the administrator role', CONFLICT: 'The shortcut is used by another reply in this scope' })
  async update(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string, @Body() body: UpdateSavedReplyDto): Promise<SavedReplyView> {
    return SavedReplyView.of(await this.updateReply.execute({ ...body, actor, replyId: id }), true);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a saved reply you may edit' })
  @ApiNoContentResponse()
  @ApiErrors({ FORBIDDEN: 'Inbox replies need the manager role in the inbox, team replies the administrator role' })
  async remove(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<void> {
    await this.deleteReply.execute({ actor, replyId: id });
  }

  @Post(':id/render')
  @HttpCode(200)
  @ApiOperation({
    summary: "The reply's text with variables rendered for the conversation's contact",
    description: 'For anyone but an administrator, hidden contact attributes render as their account default (else empty).',
  })
  @ApiOkResponse({ type: RenderedSavedReplyView })
  @ApiErrors({ FORBIDDEN: 'Not a member of the inbox (or team) of the reply or of the conversation', NOT_FOUND: 'The reply or the conversation does not exist' })
  async render(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string, @Body() body: RenderSavedReplyDto): Promise<RenderedSavedReplyView> {
    return { text: await this.renderReply.execute({ actor, replyId: id, conversationId: body.conversationId }) };
  }
}
