import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { Client, Connection } from '@temporalio/client';
import { APP_CONFIG, ServiceConfig } from '../config/config';
import { CampaignWorkflows } from './campaign-workflows';
import { ConversationWorkflows } from './conversation-workflows';
import { MailboxWorkflows } from './mailbox-workflows';
import { PresenceWorkflows } from './presence-workflows';
import { CrmWorkflows } from './crm-workflows';
import { WebhookWorkflows } from './webhook-workflows';

export const TEMPORAL_CONNECTION = Symbol('TEMPORAL_CONNECTION');

/**
 * The Temporal client. The connection is lazy, so the API starts (and /health reports 503 naming
 * Temporal) while the server is unreachable, and reconnects when it comes back.
 */
@Global()
@Module({
  providers: [
    {
      provide: TEMPORAL_CONNECTION,
      inject: [APP_CONFIG],
      useFactory: (config: ServiceConfig) => Connection.lazy({ address: config.temporal.address }),
    },
    {
      provide: Client,
      inject: [TEMPORAL_CONNECTION, APP_CONFIG],
      useFactory: (connection: Connection, config: ServiceConfig) =>
        new Client({ connection, namespace: config.temporal.namespace }),
    },
    ConversationWorkflows,
    PresenceWorkflows,
    MailboxWorkflows,
    CampaignWorkflows,
    WebhookWorkflows,
    CrmWorkflows,
  ],
  exports: [TEMPORAL_CONNECTION, Client, ConversationWorkflows, PresenceWorkflows, MailboxWorkflows, CampaignWorkflows, WebhookWorkflows, CrmWorkflows],
})
export class TemporalModule implements OnApplicationShutdown {
  constructor(@Inject(TEMPORAL_CONNECTION) private readonly connection: Connection) {}

  async onApplicationShutdown(): Promise<void> {
    await this.connection.close().catch(() => undefined);
  }
}
