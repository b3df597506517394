import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/api-errors';
import { uuidParam } from '../../common/validation';
import { type Actor, CurrentActor } from '../auth/actor';
import {
  CreateWebhookEndpointDto,
  ListWebhookDeliveriesQuery,
  RedeliverFailedDto,
  RedeliveryView,
  RotateWebhookSecretDto,
  TestEventView,
  UpdateWebhookEndpointDto,
  WebhookAttemptView,
  WebhookDeliveryDetailView,
  WebhookDeliveryPageView,
  WebhookDeliveryView,
  WebhookEndpointView,
  WebhookEndpointWithSecretView,
} from './dto/webhook.dto';
import { CreateWebhookEndpointUseCase } from './use-cases/create-webhook-endpoint.use-case';
import { DeleteWebhookEndpointUseCase } from './use-cases/delete-webhook-endpoint.use-case';
import { GetWebhookDeliveryUseCase } from './use-cases/get-webhook-delivery.use-case';
import { GetWebhookEndpointUseCase } from './use-cases/get-webhook-endpoint.use-case';
import { ListWebhookDeliveriesUseCase } from './use-cases/list-webhook-deliveries.use-case';
import { ListWebhookEndpointsUseCase } from './use-cases/list-webhook-endpoints.use-case';
import { RedeliverWebhookUseCase } from './use-cases/redeliver-webhook.use-case';
import { RotateWebhookSecretUseCase } from './use-cases/rotate-webhook-secret.use-case';
import { SendTestWebhookUseCase } from './use-cases/send-test-webhook.use-case';
import { UpdateWebhookEndpointUseCase } from './use-cases/update-webhook-endpoint.use-case';

const ADMINS = { FORBIDDEN: 'Webhooks are managed by account administrators' };

@ApiTags('webhooks')
@Controller('api/v1/webhook-endpoints')
export class WebhooksController {
  constructor(
    private readonly createEndpoint: CreateWebhookEndpointUseCase,
    private readonly listEndpoints: ListWebhookEndpointsUseCase,
    private readonly getEndpoint: GetWebhookEndpointUseCase,
    private readonly updateEndpoint: UpdateWebhookEndpointUseCase,
    private readonly deleteEndpoint: DeleteWebhookEndpointUseCase,
    private readonly rotateSecret: RotateWebhookSecretUseCase,
    private readonly listDeliveries: ListWebhookDeliveriesUseCase,
    private readonly getDelivery: GetWebhookDeliveryUseCase,
    private readonly redeliver: RedeliverWebhookUseCase,
    private readonly sendTest: SendTestWebhookUseCase,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a webhook endpoint; its signing secret is in this answer only' })
  @ApiCreatedResponse({ type: WebhookEndpointWithSecretView })
  @ApiErrors(ADMINS, { UNPROCESSABLE: 'The URL points at an address the outbound-address guard refuses, or SECRETS_KEY is not configured' })
  async create(@CurrentActor() actor: Actor, @Body() body: CreateWebhookEndpointDto): Promise<WebhookEndpointWithSecretView> {
    const { endpoint, secret } = await this.createEndpoint.execute({ ...body, actor });
    return { ...WebhookEndpointView.of(endpoint), secret };
  }

  @Get()
  @ApiOperation({ summary: "The account's webhook endpoints (secrets never leave)" })
  @ApiOkResponse({ type: [WebhookEndpointView] })
  @ApiErrors(ADMINS)
  async list(@CurrentActor() actor: Actor): Promise<WebhookEndpointView[]> {
    return (await this.listEndpoints.execute({ actor })).map((e) => WebhookEndpointView.of(e));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One webhook endpoint, with why the product disabled it (if it did)' })
  @ApiOkResponse({ type: WebhookEndpointView })
  @ApiErrors(ADMINS)
  async get(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<WebhookEndpointView> {
    return WebhookEndpointView.of(await this.getEndpoint.execute({ actor, endpointId: id }));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change the URL, description, event types, notes or enabled (enabling resumes pending deliveries)' })
  @ApiOkResponse({ type: WebhookEndpointView })
  @ApiErrors(ADMINS, { UNPROCESSABLE: 'The URL points at an address the outbound-address guard refuses' })
  async update(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string, @Body() body: UpdateWebhookEndpointDto): Promise<WebhookEndpointView> {
    return WebhookEndpointView.of(await this.updateEndpoint.execute({ ...body, actor, endpointId: id }));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a webhook endpoint with its delivery log' })
  @ApiNoContentResponse()
  @ApiErrors(ADMINS)
  async remove(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<void> {
    await this.deleteEndpoint.execute({ actor, endpointId: id });
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @ApiOperation({ summary: 'A new signing secret (in this answer only); the previous one keeps signing during the overlap' })
  @ApiOkResponse({ type: WebhookEndpointWithSecretView })
  @ApiErrors(ADMINS, { UNPROCESSABLE: 'SECRETS_KEY is not configured' })
  async rotate(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string, @Body() body: RotateWebhookSecretDto): Promise<WebhookEndpointWithSecretView> {
    const { endpoint, secret } = await this.rotateSecret.execute({ actor, endpointId: id, overlapSeconds: body.overlapSeconds });
    return { ...WebhookEndpointView.of(endpoint), secret };
  }

  @Post(':id/test')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a webhook.test event to this endpoint through the delivery pipeline' })
  @ApiAcceptedResponse({ type: TestEventView })
  @ApiErrors(ADMINS, { UNPROCESSABLE: 'The endpoint is disabled' })
  async test(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<TestEventView> {
    return this.sendTest.execute({ actor, endpointId: id });
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: "The endpoint's delivery log, newest first (filter by status or message)" })
  @ApiOkResponse({ type: WebhookDeliveryPageView })
  @ApiErrors(ADMINS)
  async deliveries(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string, @Query() query: ListWebhookDeliveriesQuery): Promise<WebhookDeliveryPageView> {
    const page = await this.listDeliveries.execute({ ...query, actor, endpointId: id });
    return { deliveries: page.deliveries.map((d) => WebhookDeliveryView.of(d, d.message.getEntity().type)), nextBefore: page.nextBefore };
  }

  @Get(':id/deliveries/:deliveryId')
  @ApiOperation({ summary: 'One delivery: the body as sent and every attempt (time, status, duration, answer excerpt, error)' })
  @ApiOkResponse({ type: WebhookDeliveryDetailView })
  @ApiErrors(ADMINS)
  async delivery(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string, @Param('deliveryId') deliveryId: string): Promise<WebhookDeliveryDetailView> {
    const { delivery, attempts } = await this.getDelivery.execute({ actor, endpointId: id, deliveryId });
    const message = delivery.message.getEntity();
    return { ...WebhookDeliveryView.of(delivery, message.type), body: message.body, attemptLog: attempts.map((a) => WebhookAttemptView.of(a)) };
  }

  @Post(':id/deliveries/:deliveryId/redeliver')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send this delivery again now, with a fresh retry schedule and the same webhook-id' })
  @ApiAcceptedResponse({ type: RedeliveryView })
  @ApiErrors(ADMINS)
  async redeliverOne(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string, @Param('deliveryId') deliveryId: string): Promise<RedeliveryView> {
    return this.redeliver.execute({ actor, endpointId: id, deliveryId });
  }

  @Post(':id/redeliver-failed')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send again every failed delivery of messages created in [from, to)' })
  @ApiAcceptedResponse({ type: RedeliveryView })
  @ApiErrors(ADMINS)
  async redeliverFailed(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string, @Body() body: RedeliverFailedDto): Promise<RedeliveryView> {
    return this.redeliver.execute({ actor, endpointId: id, from: body.from, to: body.to });
  }
}
