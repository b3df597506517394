import { ApiErrors } from '../../common/api-errors';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { uuidParam } from '../../common/validation';
import { type Actor, CurrentActor } from '../auth/actor';
import { AutomationRuleTestView, RuleFiringPageView, RuleFiringsQuery, RuleStatsQuery, RuleStatsView, TestAutomationRuleDto } from './dto/automation-explain.dto';
import {
  AutomationRuleListView,
  AutomationRuleView,
  CreateAutomationRuleDto,
  ListAutomationRulesQuery,
  MoveAutomationRuleDto,
  ReorderAutomationRulesDto,
  UpdateAutomationRuleDto,
} from './dto/automation-rule.dto';
import { ConditionCatalogView } from './dto/condition-catalog.dto';
import { GetConditionCatalogUseCase } from './use-cases/get-condition-catalog.use-case';
import { CreateAutomationRuleUseCase } from './use-cases/create-automation-rule.use-case';
import { DeleteAutomationRuleUseCase } from './use-cases/delete-automation-rule.use-case';
import { GetAutomationRuleUseCase } from './use-cases/get-automation-rule.use-case';
import { GetRuleStatsUseCase } from './use-cases/get-rule-stats.use-case';
import { ListAutomationRulesUseCase, type ListedRule } from './use-cases/list-automation-rules.use-case';
import { ListRuleFiringsUseCase } from './use-cases/list-rule-firings.use-case';
import { MoveAutomationRuleUseCase } from './use-cases/move-automation-rule.use-case';
import { ReorderAutomationRulesUseCase } from './use-cases/reorder-automation-rules.use-case';
import { TestAutomationRuleUseCase } from './use-cases/test-automation-rule.use-case';
import { UpdateAutomationRuleUseCase } from './use-cases/update-automation-rule.use-case';

const view = (r: ListedRule) => AutomationRuleView.of(r.rule, r.position, r.canEdit);
const list = (rules: ListedRule[]): AutomationRuleListView => ({ items: rules.map(view) });

/**
 * Automation rules: managers build them for their inboxes, administrators for the whole account
 * (see AutomationRuleAccess). Enable / disable is PATCH {enabled}; the order is POST /:id/move or
 * PUT /order; POST /test runs a draft or saved rule against a conversation without changing it.
 */
@ApiTags('automation-rules')
@ApiErrors({ FORBIDDEN: "Needs the manager role of the rule's inbox (account-wide rules: the administrator role)", NOT_FOUND: 'The rule, an inbox or a conversation named does not exist in your account' })
@Controller('api/v1/automation-rules')
export class AutomationRulesController {
  constructor(
    private readonly createRule: CreateAutomationRuleUseCase,
    private readonly listRules: ListAutomationRulesUseCase,
    private readonly getRule: GetAutomationRuleUseCase,
    private readonly updateRule: UpdateAutomationRuleUseCase,
    private readonly deleteRule: DeleteAutomationRuleUseCase,
    private readonly moveRule: MoveAutomationRuleUseCase,
    private readonly reorderRules: ReorderAutomationRulesUseCase,
    private readonly testRule: TestAutomationRuleUseCase,
    private readonly listFirings: ListRuleFiringsUseCase,
    private readonly getStats: GetRuleStatsUseCase,
    private readonly getCatalog: GetConditionCatalogUseCase,
  ) {}

  @Post()
  @ApiErrors({ CONFLICT: 'The account already has the most rules it may have' })
  @ApiOperation({
    summary: 'Create a rule (disabled unless enabled: true)',
    description:
      'inboxId limits it to an inbox (its managers and administrators); without it the rule runs on every inbox (administrators). ' +
      'Every problem of the trigger, conditions and actions is listed in one 400 naming its field. Placed last unless position says otherwise.',
  })
  @ApiCreatedResponse({ type: AutomationRuleView })
  async create(@CurrentActor() actor: Actor, @Body() body: CreateAutomationRuleDto): Promise<AutomationRuleView> {
    return view(await this.createRule.execute({ ...body, actor }));
  }

  @Get()
  @ApiOperation({ summary: 'The rules you manage (and the account-wide ones), in the order they run' })
  @ApiOkResponse({ type: AutomationRuleListView })
  async list(@CurrentActor() actor: Actor, @Query() query: ListAutomationRulesQuery): Promise<AutomationRuleListView> {
    return list(await this.listRules.execute({ ...query, actor }));
  }

  @Put('order')
  @ApiOperation({ summary: 'Put every rule of the account in this order (administrators)' })
  @ApiOkResponse({ type: AutomationRuleListView })
  async reorder(@CurrentActor() actor: Actor, @Body() body: ReorderAutomationRulesDto): Promise<AutomationRuleListView> {
    return list(await this.reorderRules.execute({ ...body, actor }));
  }

  @Post('test')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Test a draft or saved rule on a conversation as it is now (nothing changes, nothing is sent)',
    description: 'Per-condition results, whether the event triggers it (default: one of its own trigger), its timer (time-based rules) and what each action would do.',
  })
  @ApiOkResponse({ type: AutomationRuleTestView })
  async test(@CurrentActor() actor: Actor, @Body() body: TestAutomationRuleDto): Promise<AutomationRuleTestView> {
    return this.testRule.execute({ ...body, actor });
  }

  @Get('catalog')
  @ApiOperation({
    summary: 'What rules may name: attributes with their type and fitting operators (custom contact attributes included), triggers, action types',
    description: 'For rule builders: offer exactly what the API accepts. Hidden custom contact attributes are listed for administrators only.',
  })
  @ApiOkResponse({ type: ConditionCatalogView })
  catalog(@CurrentActor() actor: Actor): Promise<ConditionCatalogView> {
    return this.getCatalog.execute({ actor });
  }

  @Get(':id')
  @ApiOkResponse({ type: AutomationRuleView })
  async get(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<AutomationRuleView> {
    return view(await this.getRule.execute({ actor, ruleId: id }));
  }

  @Patch(':id')
  @ApiErrors({ CONFLICT: 'expectedVersion is not the current version (someone changed the rule meanwhile)' })
  @ApiOperation({ summary: 'Change any field, enabled included (enable / disable); the version goes up when anything changed' })
  @ApiOkResponse({ type: AutomationRuleView })
  async update(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string, @Body() body: UpdateAutomationRuleDto): Promise<AutomationRuleView> {
    return view(await this.updateRule.execute({ ...body, actor, ruleId: id }));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted; its firing log stays' })
  async remove(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<void> {
    await this.deleteRule.execute({ actor, ruleId: id });
  }

  @Post(':id/move')
  @HttpCode(200)
  @ApiOperation({ summary: "Move the rule to another place in the account's order; answers your rules in the new order" })
  @ApiOkResponse({ type: AutomationRuleListView })
  async move(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string, @Body() body: MoveAutomationRuleDto): Promise<AutomationRuleListView> {
    return list(await this.moveRule.execute({ actor, ruleId: id, position: body.position }));
  }

  @Get(':id/firings')
  @ApiOperation({ summary: 'The firing log: last firings, newest first (conversation, version, what it fired on, outcomes, error)' })
  @ApiOkResponse({ type: RuleFiringPageView })
  async firings(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string, @Query() query: RuleFiringsQuery): Promise<RuleFiringPageView> {
    return this.listFirings.execute({ ...query, actor, ruleId: id });
  }

  @Get(':id/stats')
  @ApiOperation({ summary: 'Evaluations, matches, firings and failures per UTC day for the last N days' })
  @ApiOkResponse({ type: RuleStatsView })
  async stats(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string, @Query() query: RuleStatsQuery): Promise<RuleStatsView> {
    return this.getStats.execute({ ...query, actor, ruleId: id });
  }
}
