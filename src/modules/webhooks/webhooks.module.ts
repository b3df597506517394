import { Module } from '@nestjs/common';
import { SecretBox } from '../../common/secret-box';
import { APP_CONFIG, type ServiceConfig } from '../../config/config';
import { AuthModule } from '../auth/auth.module';
import { CreateWebhookEndpointUseCase } from './use-cases/create-webhook-endpoint.use-case';
import { DeleteWebhookEndpointUseCase } from './use-cases/delete-webhook-endpoint.use-case';
import { DeliverDueWebhooksUseCase } from './use-cases/deliver-due-webhooks.use-case';
import { GetWebhookDeliveryUseCase } from './use-cases/get-webhook-delivery.use-case';
import { GetWebhookEndpointUseCase } from './use-cases/get-webhook-endpoint.use-case';
import { ListWebhookDeliveriesUseCase } from './use-cases/list-webhook-deliveries.use-case';
import { ListWebhookEndpointsUseCase } from './use-cases/list-webhook-endpoints.use-case';
import { RedeliverWebhookUseCase } from './use-cases/redeliver-webhook.use-case';
import { RotateWebhookSecretUseCase } from './use-cases/rotate-webhook-secret.use-case';
import { SendTestWebhookUseCase } from './use-cases/send-test-webhook.use-case';
import { UpdateWebhookEndpointUseCase } from './use-cases/update-webhook-endpoint.use-case';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhookEndpointAccess } from './webhook-endpoint-access';
import { WebhookSender } from './webhook-sender';
import { WebhooksController } from './webhooks.controller';

const secretBox = { provide: SecretBox, useFactory: (config: ServiceConfig) => new SecretBox(config.secretsKey), inject: [APP_CONFIG] };

/** Outgoing webhooks: the admins' endpoints API (in the API). */
@Module({
  imports: [AuthModule],
  controllers: [WebhooksController],
  providers: [
    secretBox,
    WebhookEndpointAccess,
    CreateWebhookEndpointUseCase,
    ListWebhookEndpointsUseCase,
    GetWebhookEndpointUseCase,
    UpdateWebhookEndpointUseCase,
    DeleteWebhookEndpointUseCase,
    RotateWebhookSecretUseCase,
    ListWebhookDeliveriesUseCase,
    GetWebhookDeliveryUseCase,
    RedeliverWebhookUseCase,
    SendTestWebhookUseCase,
  ],
})
export class WebhooksModule {}

/** Outgoing webhooks in the worker: the delivery use case its activities call, and the dispatcher that wakes endpoint workflows. */
@Module({
  providers: [secretBox, WebhookSender, DeliverDueWebhooksUseCase, WebhookDispatcher],
  exports: [DeliverDueWebhooksUseCase],
})
export class WebhooksDeliveryModule {}
