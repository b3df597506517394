import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/api-errors';
import { uuidParam } from '../../common/validation';
import { type Actor, CurrentActor } from '../auth/actor';
import {
  ContactCrmView,
  CreateCrmConnectorDto,
  CrmConnectorView,
  CrmConnectorWithSecretView,
  CrmLookupResultView,
  CrmWriteBackDeliveryView,
  CrmWriteBackPageView,
  ListCrmWriteBacksQuery,
  TestCrmConnectorDto,
  UpdateCrmConnectorDto,
} from './dto/crm.dto';
import { CreateCrmConnectorUseCase } from './use-cases/create-crm-connector.use-case';
import { DeleteCrmConnectorUseCase } from './use-cases/delete-crm-connector.use-case';
import { GetContactCrmUseCase } from './use-cases/get-contact-crm.use-case';
import { GetCrmConnectorUseCase, ListCrmConnectorsUseCase } from './use-cases/list-crm-connectors.use-case';
import { ListCrmWriteBacksUseCase } from './use-cases/list-crm-write-backs.use-case';
import { RefreshContactCrmUseCase } from './use-cases/refresh-contact-crm.use-case';
import { TestCrmConnectorUseCase } from './use-cases/test-crm-connector.use-case';
import { UpdateCrmConnectorUseCase } from './use-cases/update-crm-connector.use-case';

const ADMINS = { FORBIDDEN: 'CRM connectors are managed by account administrators' };
const withSecret = (r: { connector: Parameters<typeof CrmConnectorView.of>[0]; writeBackSecret?: string }): CrmConnectorWithSecretView => ({
  ...CrmConnectorView.of(r.connector),
  ...(r.writeBackSecret ? { writeBackSecret: r.writeBackSecret } : {}),
});

@ApiTags('crm')
@Controller('api/v1/crm-connectors')
export class CrmConnectorsController {
  constructor(
    private readonly createConnector: CreateCrmConnectorUseCase,
    private readonly listConnectors: ListCrmConnectorsUseCase,
    private readonly getConnector: GetCrmConnectorUseCase,
    private readonly updateConnector: UpdateCrmConnectorUseCase,
    private readonly deleteConnector: DeleteCrmConnectorUseCase,
    private readonly testConnector: TestCrmConnectorUseCase,
    private readonly listWriteBacks: ListCrmWriteBacksUseCase,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a CRM connector; with write-back on, the write-back signing secret is in this answer only' })
  @ApiCreatedResponse({ type: CrmConnectorWithSecretView })
  @ApiErrors(ADMINS, { UNPROCESSABLE: 'A URL points at an address the outbound-address guard refuses, or SECRETS_KEY is not configured' })
  async create(@CurrentActor() actor: Actor, @Body() body: CreateCrmConnectorDto): Promise<CrmConnectorWithSecretView> {
    return withSecret(await this.createConnector.execute({ ...body, actor }));
  }

  @Get()
  @ApiOperation({ summary: "The account's CRM connectors (header values never leave)" })
  @ApiOkResponse({ type: [CrmConnectorView] })
  @ApiErrors(ADMINS)
  async list(@CurrentActor() actor: Actor): Promise<CrmConnectorView[]> {
    return (await this.listConnectors.execute({ actor })).map((c) => CrmConnectorView.of(c));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One CRM connector with the state of its write-back endpoint' })
  @ApiOkResponse({ type: CrmConnectorView })
  @ApiErrors(ADMINS)
  async get(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<CrmConnectorView> {
    return CrmConnectorView.of(await this.getConnector.execute({ actor, connectorId: id }));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a CRM connector (headers: replaces them all); turning write-back on for the first time answers its signing secret' })
  @ApiOkResponse({ type: CrmConnectorWithSecretView })
  @ApiErrors(ADMINS, { UNPROCESSABLE: 'A URL points at an address the outbound-address guard refuses' })
  async update(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string, @Body() body: UpdateCrmConnectorDto): Promise<CrmConnectorWithSecretView> {
    return withSecret(await this.updateConnector.execute({ ...body, actor, connectorId: id }));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a CRM connector with its links, call log and write-back endpoint' })
  @ApiNoContentResponse()
  @ApiErrors(ADMINS)
  async remove(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<void> {
    await this.deleteConnector.execute({ actor, connectorId: id });
  }

  @Post(':id/test')
  @HttpCode(200)
  @ApiOperation({ summary: 'Test with this contact: the lookup as it would run, with the raw request and answer; nothing is changed' })
  @ApiOkResponse({ type: CrmLookupResultView })
  @ApiErrors(ADMINS)
  async test(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string, @Body() body: TestCrmConnectorDto): Promise<CrmLookupResultView> {
    return this.testConnector.execute({ actor, connectorId: id, contactId: body.contactId });
  }

  @Get(':id/write-backs')
  @ApiOperation({ summary: "The connector's write-back log, newest first: each write-back's idempotency key, delivery state and every attempt (time, status code, duration, error)" })
  @ApiOkResponse({ type: CrmWriteBackPageView })
  @ApiErrors(ADMINS)
  async writeBacks(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string, @Query() query: ListCrmWriteBacksQuery): Promise<CrmWriteBackPageView> {
    const page = await this.listWriteBacks.execute({ actor, connectorId: id, ...query });
    return { writeBacks: page.writeBacks.map((w) => CrmWriteBackDeliveryView.of(w)), nextBefore: page.nextBefore };
  }
}

@ApiTags('crm')
@Controller('api/v1/contacts/:contactId/crm')
export class ContactCrmController {
  constructor(
    private readonly getContactCrm: GetContactCrmUseCase,
    private readonly refresh: RefreshContactCrmUseCase,
  ) {}

  @Get()
  @ApiOperation({ summary: "What the CRM connectors know of the contact (external ids, managed attributes) and the contact's CRM call log" })
  @ApiOkResponse({ type: ContactCrmView })
  @ApiErrors({ FORBIDDEN: 'The contact has no conversation in an inbox of yours' })
  async get(@CurrentActor() actor: Actor, @Param('contactId', uuidParam('contactId')) contactId: string): Promise<ContactCrmView> {
    return this.getContactCrm.execute({ actor, contactId });
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({ summary: 'Look the contact up in every enabled CRM connector now (the cache does not apply) and apply the answers' })
  @ApiOkResponse({ type: [CrmLookupResultView] })
  @ApiErrors({ FORBIDDEN: 'The contact has no conversation in an inbox of yours' })
  async refreshContact(@CurrentActor() actor: Actor, @Param('contactId', uuidParam('contactId')) contactId: string): Promise<CrmLookupResultView[]> {
    return this.refresh.execute({ actor, contactId });
  }
}
