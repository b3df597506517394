import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/api-errors';
import { uuidParam } from '../../common/validation';
import { type Actor, CurrentActor } from '../auth/actor';
import { ContactAttributeView, CreateContactAttributeDto, ReorderContactAttributesDto, UpdateContactAttributeDto } from './dto/contact-attribute.dto';
import { CreateContactAttributeUseCase } from './use-cases/create-contact-attribute.use-case';
import { DeleteContactAttributeUseCase } from './use-cases/delete-contact-attribute.use-case';
import { ListContactAttributesUseCase } from './use-cases/list-contact-attributes.use-case';
import { ReorderContactAttributesUseCase } from './use-cases/reorder-contact-attributes.use-case';
import { UpdateContactAttributeUseCase } from './use-cases/update-contact-attribute.use-case';

@ApiTags('contacts')
@Controller('api/v1/contact-attributes')
export class ContactAttributesController {
  constructor(
    private readonly listAttributes: ListContactAttributesUseCase,
    private readonly createAttribute: CreateContactAttributeUseCase,
    private readonly updateAttribute: UpdateContactAttributeUseCase,
    private readonly deleteAttribute: DeleteContactAttributeUseCase,
    private readonly reorderAttributes: ReorderContactAttributesUseCase,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Custom contact attributes by position', description: 'Administrators get all, other users the visible ones.' })
  @ApiOkResponse({ type: [ContactAttributeView] })
  async list(@CurrentActor() actor: Actor): Promise<ContactAttributeView[]> {
    return (await this.listAttributes.execute({ actor })).map(ContactAttributeView.of);
  }

  @Post()
  @ApiOperation({ summary: 'Create a custom contact attribute (administrators); 409 when the key exists' })
  @ApiCreatedResponse({ type: ContactAttributeView })
  @ApiErrors({ FORBIDDEN: 'Needs the account administrator role', CONFLICT: 'An attribute with this key exists' })
  async create(@CurrentActor() actor: Actor, @Body() body: CreateContactAttributeDto): Promise<ContactAttributeView> {
    return ContactAttributeView.of(await this.createAttribute.execute({ ...body, actor }));
  }

  // Declared before :id routes; PUT has no :id route anyway.
  @Put('order')
  @ApiOperation({ summary: 'Reorder the custom contact attributes (administrators)' })
  @ApiOkResponse({ type: [ContactAttributeView], description: 'Every definition in the new order' })
  @ApiErrors({ FORBIDDEN: 'Needs the account administrator role', NOT_FOUND: 'An id names no attribute of the account (details name ids[i])' })
  async reorder(@CurrentActor() actor: Actor, @Body() body: ReorderContactAttributesDto): Promise<ContactAttributeView[]> {
    return (await this.reorderAttributes.execute({ actor, ids: body.ids })).map(ContactAttributeView.of);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change label, options, visibility or position (administrators)' })
  @ApiOkResponse({ type: ContactAttributeView })
  @ApiErrors({ FORBIDDEN: 'Needs the account administrator role' })
  async update(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: UpdateContactAttributeDto,
  ): Promise<ContactAttributeView> {
    return ContactAttributeView.of(await this.updateAttribute.execute({ ...body, actor, attributeId: id }));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a custom contact attribute and its values on every contact (administrators)' })
  @ApiNoContentResponse()
  @ApiErrors({ FORBIDDEN: 'Needs the account administrator role' })
  async remove(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<void> {
    await this.deleteAttribute.execute({ actor, attributeId: id });
  }
}
