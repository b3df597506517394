/** Pure decision code for workflows (and activities): business hours and the rule condition language. */
export {
  evaluateBusinessHours,
  NEXT_OPEN_SEARCH_DAYS,
  CLOSED_PERIOD_LOOKBACK_DAYS,
} from './business-hours';
export type { BusinessHoursDecision, BusinessHoursInterval } from './business-hours';
export {
  applyOperator,
  CONDITION_OPERATORS,
  evaluateCondition,
  evaluateConditions,
  evaluateRules,
  explainCondition,
  explainRule,
  firstMatchingRule,
  looseEquals,
  resolvePath,
} from './conditions';
export type { ConditionDetail, ConditionsEvaluation, MatchMode, RuleLike, RuleMatch } from './conditions';
export type { BusinessHours, ConditionOperator, RoutingRule, RuleCondition, TimeInterval, Weekday } from './types';
export { chooseAgent } from './agent-choice';
export type { AgentCandidate, AgentChoice, Distribution } from './agent-choice';
