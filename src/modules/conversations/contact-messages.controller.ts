import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/api-errors';
import { uuidParam } from '../../common/validation';
import { type Actor, CurrentActor } from '../auth/actor';
import { ContactMessagePageView, ContactMessagesQuery } from './dto/conversation.dto';
import { ListContactMessagesUseCase } from './use-cases/list-contact-messages.use-case';

/** A contact's message history across channels; lives with conversations because it reads their messages. */
@ApiTags('contacts')
@Controller('api/v1/contacts')
export class ContactMessagesController {
  constructor(private readonly listContactMessages: ListContactMessagesUseCase) {}

  @Get(':id/messages')
  @ApiOperation({
    summary: "The contact's messages across all channels",
    description: 'Every message of the contact\'s conversations in inboxes the caller is a member of, oldest first, by cursor.',
  })
  @ApiOkResponse({ type: ContactMessagePageView })
  @ApiErrors({ FORBIDDEN: 'The contact has no conversation in an inbox of the caller' })
  async messages(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Query() query: ContactMessagesQuery,
  ): Promise<ContactMessagePageView> {
    return this.listContactMessages.execute({ ...query, actor, contactId: id });
  }
}
