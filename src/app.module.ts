import { DynamicModule, Module } from '@nestjs/common';
import type { ServiceConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import { ConsoleModule } from './console/console.module';
import { SmsModule } from './modules/channels/sms/sms.module';
import { AutomationModule } from './modules/automation/automation.module';
import { CampaignsModule } from './modules/campaigns/campaigns.module';
import { EmailModule } from './modules/channels/email/email.module';
import { EmailIngressModule } from './modules/channels/email/ingress/email-ingress.module';
import { DatabaseModule } from './database/database.module';
import { AccountsModule } from './modules/accounts/accounts.module';
import { AiModule } from './modules/ai/ai.module';
import { AuthModule } from './modules/auth/auth.module';
import { UsersModule } from './modules/users/users.module';
import { ContactsModule } from './modules/contacts/contacts.module';
import { ConversationsModule } from './modules/conversations/conversations.module';
import { CsatModule } from './modules/csat/csat.module';
import { ReportsModule } from './modules/reports/reports.module';
import { SavedRepliesModule } from './modules/saved-replies/saved-replies.module';
import { TeamsModule } from './modules/teams/teams.module';
import { VariablesModule } from './modules/variables/variables.module';
import { HealthModule } from './modules/health/health.module';
import { InboxesModule } from './modules/inboxes/inboxes.module';
import { LiveEventsModule } from './modules/live-events/live-events.module';
import { PresenceModule } from './modules/presence/presence.module';
import { RoutingModule } from './modules/routing/routing.module';
import { TemporalModule } from './temporal/temporal.module';
import { WebhooksModule } from './modules/webhooks/webhooks.module';
import { CrmModule } from './modules/crm/crm.module';

/** The HTTP API (and the console host). */
@Module({})
export class AppModule {
  static forRoot(config: ServiceConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        TemporalModule,
        AuthModule,
        UsersModule,
        AccountsModule,
        InboxesModule,
        ConversationsModule,
        SmsModule,
        CampaignsModule,
        AutomationModule,
        EmailModule,
        // The SMTP ingress of the forwarding addresses runs in the API process (not in the worker).
        EmailIngressModule,
        RoutingModule,
        PresenceModule,
        CsatModule,
        ReportsModule,
        AiModule,
        ContactsModule,
        TeamsModule,
        SavedRepliesModule,
        VariablesModule,
        HealthModule,
        LiveEventsModule,
        WebhooksModule,
        CrmModule,
        ConsoleModule,
      ],
    };
  }
}
