import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/conversations.module';
import { CsatModule } from '../csat/csat.module';
import { RoutingModule } from '../routing/routing.module';
import { VariablesModule } from '../variables/variables.module';
import { AutomationActions } from './automation-actions';
import { RunAutomationUseCase } from './use-cases/run-automation.use-case';
import { WhatIfUseCase } from './use-cases/what-if.use-case';
import { WhatIfController } from './what-if.controller';

/** What the conversation workflow's activities call. */
const SHARED = [RunAutomationUseCase];

/**
 * Automation rules: managers' when/if/then rules that run inside the conversation workflows, in
 * order, on the conversations' event log and on durable timers; every evaluation recorded.
 */
@Module({
  imports: [ConversationsModule, CsatModule, RoutingModule, VariablesModule],
  controllers: [WhatIfController],
  providers: [...SHARED, AutomationActions, WhatIfUseCase],
  exports: SHARED,
})
export class AutomationModule {}
