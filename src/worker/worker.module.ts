import { DynamicModule, Module } from '@nestjs/common';
import type { ServiceConfig } from '../config/config';
import { ConfigModule } from '../config/config.module';
import { DatabaseModule } from '../database/database.module';
import { AuthModule } from '../modules/auth/auth.module';
import { ConversationsModule } from '../modules/conversations/conversations.module';
import { AiModule } from '../modules/ai/ai.module';
import { CsatModule } from '../modules/csat/csat.module';
import { EmailModule } from '../modules/channels/email/email.module';
import { PresenceModule } from '../modules/presence/presence.module';
import { RoutingModule } from '../modules/routing/routing.module';
import { TemporalModule } from '../temporal/temporal.module';
import { VariablesModule } from '../modules/variables/variables.module';
import { AutomationModule } from '../modules/automation/automation.module';
import { CampaignsModule } from '../modules/campaigns/campaigns.module';
import { CrmWorkerModule } from '../modules/crm/crm.module';
import { WebhooksDeliveryModule } from '../modules/webhooks/webhooks.module';

/** The worker's own Nest application context: the modules whose use cases the activities call. */
@Module({})
export class WorkerModule {
  static forRoot(config: ServiceConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [ConfigModule.forRoot(config), DatabaseModule, TemporalModule, AuthModule, VariablesModule, ConversationsModule, RoutingModule, PresenceModule, AiModule, CsatModule, EmailModule, CampaignsModule, AutomationModule, WebhooksDeliveryModule, CrmWorkerModule],
    };
  }
}
