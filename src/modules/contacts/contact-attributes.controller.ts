import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { uuidParam } from '../../common/validation';
import { type Actor, CurrentActor } from '../auth/actor';
import { ContactAttributeView, CreateContactAttributeDto, ReorderContactAttributesDto, UpdateContactAttributeDto } from './dto/contact-attribute.dto';
import { ContactAttributesUseCases } from './use-cases/contact-attributes.use-cases';

@ApiTags('contacts')
@ApiBearerAuth()
@Controller('api/v1/contact-attributes')
export class ContactAttributesController {
  constructor(private readonly attributes: ContactAttributesUseCases) {}

  @Get()
  @ApiOperation({ summary: 'Custom contact attributes by position', description: 'Administrators get all, other users the visible ones.' })
  async list(@CurrentActor() actor: Actor): Promise<ContactAttributeView[]> {
    return (await this.attributes.list(actor)).map(ContactAttributeView.of);
  }

  @Post()
  @ApiOperation({ summary: 'Create a custom contact attribute (administrators); 409 when the key exists' })
  async create(@CurrentActor() actor: Actor, @Body() body: CreateContactAttributeDto): Promise<ContactAttributeView> {
    return ContactAttributeView.of(await this.attributes.create(actor, body));
  }

  // Declared before :id routes; PUT has no :id route anyway.
  @Put('order')
  @ApiOperation({ summary: 'Reorder the custom contact attributes (administrators)' })
  async reorder(@CurrentActor() actor: Actor, @Body() body: ReorderContactAttributesDto): Promise<ContactAttributeView[]> {
    return (await this.attributes.reorder(actor, body.ids)).map(ContactAttributeView.of);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change label, options, visibility or position (administrators)' })
  async update(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: UpdateContactAttributeDto,
  ): Promise<ContactAttributeView> {
    return ContactAttributeView.of(await this.attributes.update(actor, id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a custom contact attribute and its values on every contact (administrators)' })
  @ApiNoContentResponse()
  async remove(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<void> {
    await this.attributes.remove(actor, id);
  }
}
