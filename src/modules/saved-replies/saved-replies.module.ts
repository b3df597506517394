import { Module } from '@nestjs/common';
import { SavedRepliesController } from './saved-replies.controller';
import { SavedReplyAccess } from './saved-reply-access';
import { CreateSavedReplyUseCase } from './use-cases/create-saved-reply.use-case';
import { DeleteSavedReplyUseCase } from './use-cases/delete-saved-reply.use-case';
import { ListSavedRepliesUseCase } from './use-cases/list-saved-replies.use-case';
import { RenderSavedReplyUseCase } from './use-cases/render-saved-reply.use-case';
import { UpdateSavedReplyUseCase } from './use-cases/update-saved-reply.use-case';

/** Canned responses: personal, shared with an inbox or with a team; variables render on insert. */
@Module({
  controllers: [SavedRepliesController],
  providers: [SavedReplyAccess, CreateSavedReplyUseCase, ListSavedRepliesUseCase, UpdateSavedReplyUseCase, DeleteSavedReplyUseCase, RenderSavedReplyUseCase],
})
export class SavedRepliesModule {}
