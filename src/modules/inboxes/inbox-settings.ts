/** An inbox's settings, stored as one JSON document and validated by the DTOs at the edge. */
import type { Condition, ConditionNode, ConditionOperator as Operator } from '../routing/conditions';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** "HH:MM" local time; an interval whose end is not after its start runs across midnight. */
export interface TimeInterval {
  start: string;
  end: string;
}

export interface BusinessHours {
  enabled: boolean;
  timezone: string;
  intervals: Partial<Record<Weekday, TimeInterval[]>>;
  /** Date exceptions, e.g. { "2026-12-25": [] } (closed) or special hours. */
  exceptions: Record<string, TimeInterval[]>;
  outOfOfficeMessage: string | null;
}

export interface CsatSettings {
  enabled: boolean;
  question: string;
  scale: 5;
  /** Delay after resolving before the survey goes out. */
  delaySeconds: number;
}

/** The condition language is routing's (src/modules/routing/conditions.ts); these names are kept for the settings. */
export type ConditionOperator = Operator;

/** One condition, e.g. { attribute: "contact.vip", operator: "equals", value: true }. */
export type RuleCondition = Condition;

export interface RoutingRule {
  name: string;
  match: 'all' | 'any';
  /** Evaluated as the group { [match]: conditions }; an entry may itself be a group ({ all: [...] } / { any: [...] }). */
  conditions: ConditionNode[];
  target: { type: 'team' | 'agent' | 'ai_agent'; id?: string };
}

export interface RoutingSettings {
  rules: RoutingRule[];
  aiAgentEnabled: boolean;
  humanAgentsEnabled: boolean;
  distribution: 'least_load' | 'round_robin';
  capacityPerAgent: number;
}

export interface AutoUnassignSettings {
  enabled: boolean;
  graceSeconds: number;
}

export interface InboxSettings {
  /** open: any member replies, nobody self-assigns; assignment: reply only while holding it. */
  assignmentMode: 'open' | 'assignment';
  businessHours: BusinessHours;
  csat: CsatSettings;
  routing: RoutingSettings;
  autoUnassign: AutoUnassignSettings;
}

export const DEFAULT_INBOX_SETTINGS: InboxSettings = {
  assignmentMode: 'assignment',
  businessHours: { enabled: false, timezone: 'UTC', intervals: {}, exceptions: {}, outOfOfficeMessage: null },
  csat: { enabled: false, question: 'How would you rate our support? Reply with a number from 1 to 5.', scale: 5, delaySeconds: 0 },
  routing: { rules: [], aiAgentEnabled: false, humanAgentsEnabled: true, distribution: 'least_load', capacityPerAgent: 10 },
  autoUnassign: { enabled: true, graceSeconds: 120 },
};

/** Deep-merges a partial update into settings (arrays and maps are replaced, not merged). */
export function mergeSettings<T>(base: T, patch: unknown): T {
  if (patch === undefined) return base;
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch) || base === null || typeof base !== 'object' || Array.isArray(base)) {
    return patch as T;
  }
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    const isMap = k === 'intervals' || k === 'exceptions' || k === 'variableDefaults';
    out[k] = isMap ? v : mergeSettings((base as Record<string, unknown>)[k], v);
  }
  return out as T;
}
