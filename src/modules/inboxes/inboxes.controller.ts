import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { uuidParam } from '../../common/validation';
import { CreateInboxDto, InboxView, ListInboxesQuery, UpdateInboxDto } from './dto/inbox.dto';
import { CreateInboxUseCase } from './use-cases/create-inbox.use-case';
import { GetInboxUseCase } from './use-cases/get-inbox.use-case';
import { ListInboxesUseCase } from './use-cases/list-inboxes.use-case';
import { UpdateInboxUseCase } from './use-cases/update-inbox.use-case';

@ApiTags('inboxes')
@Controller('api/v1/inboxes')
export class InboxesController {
  constructor(
    private readonly createInbox: CreateInboxUseCase,
    private readonly updateInbox: UpdateInboxUseCase,
    private readonly getInbox: GetInboxUseCase,
    private readonly listInboxes: ListInboxesUseCase,
  ) {}

  @Post()
  async create(@Body() body: CreateInboxDto): Promise<InboxView> {
    return InboxView.of(await this.createInbox.execute(body));
  }

  @Get()
  async list(@Query() query: ListInboxesQuery): Promise<InboxView[]> {
    return (await this.listInboxes.execute(query.accountId)).map(InboxView.of);
  }

  @Get(':id')
  async get(@Param('id', uuidParam('id')) id: string): Promise<InboxView> {
    return InboxView.of(await this.getInbox.execute(id));
  }

  @Patch(':id')
  async update(@Param('id', uuidParam('id')) id: string, @Body() body: UpdateInboxDto): Promise<InboxView> {
    return InboxView.of(await this.updateInbox.execute(id, body));
  }
}
