/**
 * The rule form: values shaped like the API's rule (so the API's field paths, e.g.
 * `conditions.all[0].any[1].operator`, are the form's paths `conditions.all.0.any.1.operator`).
 */
import type { Schemas } from '../../api/client';

export type Catalog = Schemas['ConditionCatalogView'];
export type CatalogAttribute = Schemas['CatalogAttributeView'];
export type Rule = Schemas['AutomationRuleView'];

export interface ConditionValues {
  attribute: string;
  operator: string;
  value: unknown;
}
export type GroupValues = { all: NodeValues[] } | { any: NodeValues[] };
export type NodeValues = ConditionValues | GroupValues;

export interface ActionValues {
  type: string;
  userId?: string;
  teamId?: string;
  tag?: string;
  priority?: number;
  status?: string;
  content?: string;
  savedReplyId?: string;
  inboxId?: string;
  /** call_webhook: the payload as JSON text (the API takes the object; text that is not JSON goes as is and the API names the field). */
  payload?: string;
}

export interface RuleFormValues {
  name: string;
  description: string;
  inboxId: string | null;
  enabled: boolean;
  stopProcessing: boolean;
  allowChaining: boolean;
  trigger: { event: string; minutes?: number; status?: string; from?: string[]; to?: string[]; tags?: string[] };
  conditions: GroupValues;
  actions: ActionValues[];
}

export const isGroup = (n: NodeValues): n is GroupValues => 'all' in n || 'any' in n;
export const groupMode = (g: GroupValues): 'all' | 'any' => ('all' in g ? 'all' : 'any');
export const groupEntries = (g: GroupValues): NodeValues[] => ('all' in g ? g.all : g.any);

export const NO_VALUE_OPERATORS = ['is_present', 'is_absent'];
export const LIST_OPERATORS = ['in', 'not_in'];

export const OPERATOR_LABELS: Record<string, string> = {
  equals: 'equals',
  not_equals: 'does not equal',
  contains: 'contains',
  does_not_contain: 'does not contain',
  starts_with: 'starts with',
  in: 'is one of',
  not_in: 'is none of',
  greater_than: 'is greater than',
  less_than: 'is less than',
  is_present: 'is present',
  is_absent: 'is absent',
  changed: 'changed (from -> to)',
};

export const TRIGGER_LABELS: Record<string, string> = {
  message_received: 'Message received',
  message_sent: 'Message sent by an agent',
  conversation_created: 'Conversation created',
  status_changed: 'Status changed',
  assigned: 'Assigned',
  unassigned: 'Unassigned',
  tag_added: 'Tag added',
  tag_removed: 'Tag removed',
  priority_changed: 'Priority changed',
  contact_updated: 'Contact updated',
  csat_received: 'CSAT received',
  conversation_idle: 'Conversation idle for N minutes',
  customer_unresponsive: 'Customer unresponsive for N minutes',
  agent_unresponsive: 'Agent unresponsive for N minutes (customer waiting)',
  in_status: 'In a status for N minutes',
  first_response_due: 'First response due (SLA) after N minutes',
};

export const ACTION_LABELS: Record<string, string> = {
  assign_agent: 'Assign an agent',
  assign_team: 'Assign a team',
  unassign: 'Unassign',
  add_tag: 'Add a tag',
  remove_tag: 'Remove a tag',
  set_priority: 'Set priority',
  set_status: 'Set status',
  send_message: 'Send a message',
  send_saved_reply: 'Send a saved reply',
  add_note: 'Add a private note',
  send_csat: 'Send the CSAT survey',
  move_to_inbox: 'Move to inbox',
  mark_spam: 'Mark as spam',
  call_webhook: 'Call the webhook (rule.fired)',
};

export const STATUSES = ['new', 'open', 'pending', 'resolved', 'spam'];
export const PRIORITIES = [
  { value: '0', label: 'None' },
  { value: '1', label: 'Low' },
  { value: '2', label: 'Medium' },
  { value: '3', label: 'High' },
  { value: '4', label: 'Urgent' },
];

/** The fields an action type takes (present in the form values so field errors find them). */
export function newAction(type: string): ActionValues {
  switch (type) {
    case 'assign_agent':
      return { type, userId: '' };
    case 'assign_team':
      return { type, teamId: '' };
    case 'add_tag':
    case 'remove_tag':
      return { type, tag: '' };
    case 'set_priority':
      return { type, priority: 3 };
    case 'set_status':
      return { type, status: 'resolved' };
    case 'send_message':
    case 'add_note':
      return { type, content: '' };
    case 'send_saved_reply':
      return { type, savedReplyId: '' };
    case 'move_to_inbox':
      return { type, inboxId: '' };
    case 'call_webhook':
      return { type, payload: '' };
    default:
      return { type };
  }
}

export const newCondition = (): ConditionValues => ({ attribute: 'message.content', operator: 'contains', value: '' });

/** A fitting empty value for an attribute and operator. */
export function defaultValue(attr: CatalogAttribute | undefined, operator: string): unknown {
  if (NO_VALUE_OPERATORS.includes(operator)) return undefined;
  if (LIST_OPERATORS.includes(operator)) return [];
  if (operator === 'changed') return { from: '', to: '' };
  switch (attr?.kind) {
    case 'boolean':
      return true;
    case 'number':
      return attr.min ?? 0;
    case 'enum':
    case 'weekday':
      return attr.values?.[0] ?? '';
    case 'string[]':
      return '';
    default:
      return '';
  }
}

function toForm(node: unknown): NodeValues {
  const n = (node ?? {}) as Record<string, unknown>;
  if (Array.isArray(n.all)) return { all: n.all.map(toForm) };
  if (Array.isArray(n.any)) return { any: n.any.map(toForm) };
  return { attribute: String(n.attribute ?? ''), operator: String(n.operator ?? 'equals'), value: n.value };
}

export function ruleToForm(rule: Rule): RuleFormValues {
  const conditions = toForm(rule.conditions);
  return {
    name: rule.name,
    description: rule.description ?? '',
    inboxId: rule.inboxId,
    enabled: rule.enabled,
    stopProcessing: rule.stopProcessing,
    allowChaining: rule.allowChaining,
    trigger: { ...(rule.trigger as RuleFormValues['trigger']) },
    conditions: isGroup(conditions) ? conditions : { all: [conditions] },
    actions: (rule.actions as unknown as Record<string, unknown>[]).map((a) => {
      const action = { ...newAction(String(a.type)), ...a } as ActionValues & { payload?: unknown };
      if (action.type === 'call_webhook') action.payload = a.payload === undefined || a.payload === null ? '' : JSON.stringify(a.payload, null, 2);
      return action as ActionValues;
    }),
  };
}

export const emptyRule = (): RuleFormValues => ({
  name: '',
  description: '',
  inboxId: null,
  enabled: false,
  stopProcessing: false,
  allowChaining: false,
  trigger: { event: 'message_received' },
  conditions: { all: [] },
  actions: [newAction('add_tag')],
});

function nodeToApi(node: NodeValues, catalog: Catalog | undefined): Record<string, unknown> {
  if (isGroup(node)) return { [groupMode(node)]: groupEntries(node).map((e) => nodeToApi(e, catalog)) };
  const attr = catalog?.attributes.find((a) => a.path === node.attribute);
  const out: Record<string, unknown> = { attribute: node.attribute, operator: node.operator };
  if (NO_VALUE_OPERATORS.includes(node.operator)) return out;
  let value = node.value;
  if (attr?.kind === 'number') {
    const num = (v: unknown) => (v === '' || v === null || v === undefined || Number.isNaN(Number(v)) ? v : Number(v));
    value = Array.isArray(value) ? value.map(num) : num(value);
  }
  out.value = value;
  return out;
}

type RuleBody = Schemas['CreateAutomationRuleDto'];

/** The API body of the form's rule (create / update / test / what-if drafts). */
export function formToApi(v: RuleFormValues, catalog: Catalog | undefined): Omit<RuleBody, 'enabled' | 'position'> {
  const timeBased = (catalog?.timeTriggers as string[] | undefined)?.includes(v.trigger.event) ?? false;
  const trigger: Record<string, unknown> = { event: v.trigger.event };
  if (timeBased) trigger.minutes = v.trigger.minutes;
  if (v.trigger.event === 'in_status') trigger.status = v.trigger.status;
  if (v.trigger.event === 'status_changed') {
    if (v.trigger.from?.length) trigger.from = v.trigger.from;
    if (v.trigger.to?.length) trigger.to = v.trigger.to;
  }
  if ((v.trigger.event === 'tag_added' || v.trigger.event === 'tag_removed') && v.trigger.tags?.length) trigger.tags = v.trigger.tags;
  const actions = v.actions.map((a) => {
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(a)) if (val !== undefined) out[k] = val;
    if (a.type === 'call_webhook') {
      const text = (a.payload ?? '').trim();
      if (text === '') delete out.payload;
      else out.payload = parseJson(text);
    }
    return out;
  });
  return {
    name: v.name,
    description: v.description.trim() === '' ? null : v.description,
    inboxId: v.inboxId || null,
    stopProcessing: v.stopProcessing,
    allowChaining: v.allowChaining,
    trigger: trigger as RuleBody['trigger'],
    conditions: nodeToApi(v.conditions, catalog) as RuleBody['conditions'],
    actions: actions as RuleBody['actions'],
  };
}

/** JSON text as its value; text that is not JSON stays text, so the API's answer names the field and the problem. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Shows a fact or a condition's value in a table cell. */
export function show(value: unknown): string {
  if (value === undefined) return '(unset)';
  if (value === null) return 'null';
  if (typeof value === 'string') return value === '' ? '""' : value;
  return JSON.stringify(value);
}
