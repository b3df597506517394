import { Module } from '@nestjs/common';
import { ConversationAccess } from '../conversations/conversation-access';
import { ConversationsModule } from '../conversations/conversations.module';
import { CsatModule } from '../csat/csat.module';
import { RoutingModule } from '../routing/routing.module';
import { VariablesModule } from '../variables/variables.module';
import { AutomationActions } from './automation-actions';
import { AutomationRuleAccess } from './automation-rule-access';
import { AutomationRuleValidator } from './automation-rule-validator';
import { AutomationRulesController } from './automation-rules.controller';
import { ConversationAutomationController } from './conversation-automation.controller';
import { RuleTimerRefresh } from './rule-timer-refresh';
import { CreateAutomationRuleUseCase } from './use-cases/create-automation-rule.use-case';
import { DeleteAutomationRuleUseCase } from './use-cases/delete-automation-rule.use-case';
import { ExplainConversationAutomationUseCase } from './use-cases/explain-conversation-automation.use-case';
import { GetConditionCatalogUseCase } from './use-cases/get-condition-catalog.use-case';
import { GetAutomationRuleUseCase } from './use-cases/get-automation-rule.use-case';
import { GetRuleStatsUseCase } from './use-cases/get-rule-stats.use-case';
import { ListAutomationRulesUseCase } from './use-cases/list-automation-rules.use-case';
import { ListRuleFiringsUseCase } from './use-cases/list-rule-firings.use-case';
import { MoveAutomationRuleUseCase } from './use-cases/move-automation-rule.use-case';
import { ReorderAutomationRulesUseCase } from './use-cases/reorder-automation-rules.use-case';
import { RunAutomationUseCase } from './use-cases/run-automation.use-case';
import { TestAutomationRuleUseCase } from './use-cases/test-automation-rule.use-case';
import { UpdateAutomationRuleUseCase } from './use-cases/update-automation-rule.use-case';
import { WhatIfUseCase } from './use-cases/what-if.use-case';
import { WhatIfController } from './what-if.controller';

/** What the conversation workflow's activities call. */
const SHARED = [RunAutomationUseCase];

/**
 * Automation rules: managers' when/if/then rules that run inside the conversation workflows, in
 * order, on the conversations' event log and on durable timers; every evaluation recorded. The
 * rules API (CRUD, order, test, why, firing log) lives here too.
 */
@Module({
  imports: [ConversationsModule, CsatModule, RoutingModule, VariablesModule],
  controllers: [AutomationRulesController, ConversationAutomationController, WhatIfController],
  providers: [
    ...SHARED,
    AutomationActions,
    AutomationRuleAccess,
    AutomationRuleValidator,
    RuleTimerRefresh,
    // Conversation access for test / why (provided here, not exported by the conversations module).
    ConversationAccess,
    CreateAutomationRuleUseCase,
    ListAutomationRulesUseCase,
    GetAutomationRuleUseCase,
    UpdateAutomationRuleUseCase,
    DeleteAutomationRuleUseCase,
    MoveAutomationRuleUseCase,
    ReorderAutomationRulesUseCase,
    TestAutomationRuleUseCase,
    ExplainConversationAutomationUseCase,
    ListRuleFiringsUseCase,
    GetRuleStatsUseCase,
    GetConditionCatalogUseCase,
    WhatIfUseCase,
  ],
  exports: SHARED,
})
export class AutomationModule {}
