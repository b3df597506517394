/**
 * Settings types the decision code reads. Type-only import from src: erased at compile time, so the
 * workflow bundle never pulls in src/ (the lint rule allows `import type` only).
 */
import type {
  BusinessHours,
  ConditionOperator,
  RoutingRule,
  RuleCondition,
  TimeInterval,
  Weekday,
} from '../../src/modules/inboxes/inbox-settings';

export type { BusinessHours, ConditionOperator, RoutingRule, RuleCondition, TimeInterval, Weekday };
