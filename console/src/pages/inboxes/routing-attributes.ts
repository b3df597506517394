/**
 * The attributes a routing rule's condition may read, with the operators that fit each type: the
 * routing scope of the API's attribute catalog (src/modules/routing/condition-catalog.ts). The API
 * checks every condition again and names the field of any problem. Custom contact attributes
 * (contact.attributes.<key>) are not offered here yet; rules using them show as they are.
 */
export type AttributeKind = 'string' | 'number' | 'boolean' | 'string[]' | 'datetime' | 'enum';

export interface RoutingAttribute {
  path: string;
  label: string;
  kind: AttributeKind;
  values?: readonly string[];
}

export const ROUTING_ATTRIBUTES: readonly RoutingAttribute[] = [
  { path: 'contact.vip', label: 'Contact is VIP', kind: 'boolean' },
  { path: 'contact.name', label: 'Contact name', kind: 'string' },
  { path: 'contact.email', label: 'Contact email', kind: 'string' },
  { path: 'contact.phone', label: 'Contact phone', kind: 'string' },
  { path: 'contact.id', label: 'Contact id', kind: 'string' },
  { path: 'message.content', label: 'Message text', kind: 'string' },
  { path: 'message.createdAt', label: 'Message time', kind: 'datetime' },
  { path: 'conversation.status', label: 'Conversation status', kind: 'enum', values: ['new', 'open', 'pending', 'resolved', 'spam'] },
  { path: 'conversation.priority', label: 'Conversation priority (0-4)', kind: 'number' },
  { path: 'conversation.tags', label: 'Conversation tags', kind: 'string[]' },
  { path: 'conversation.channel', label: 'Conversation channel', kind: 'enum', values: ['api', 'email', 'sms'] },
  { path: 'conversation.createdAt', label: 'Conversation started', kind: 'datetime' },
  { path: 'conversation.id', label: 'Conversation id', kind: 'string' },
  { path: 'inbox.name', label: 'Inbox name', kind: 'string' },
  { path: 'inbox.channel', label: 'Inbox channel', kind: 'enum', values: ['api', 'email', 'sms'] },
  { path: 'inbox.id', label: 'Inbox id', kind: 'string' },
];

export const OPERATORS: Record<AttributeKind, readonly string[]> = {
  string: ['equals', 'not_equals', 'contains', 'does_not_contain', 'starts_with', 'in', 'not_in', 'is_present', 'is_absent'],
  number: ['equals', 'not_equals', 'greater_than', 'less_than', 'in', 'not_in', 'is_present', 'is_absent'],
  boolean: ['equals', 'not_equals', 'is_present', 'is_absent'],
  'string[]': ['contains', 'does_not_contain', 'in', 'not_in', 'equals', 'not_equals', 'is_present', 'is_absent'],
  datetime: ['greater_than', 'less_than', 'is_present', 'is_absent'],
  enum: ['equals', 'not_equals', 'in', 'not_in', 'is_present', 'is_absent'],
};

export const OPERATOR_LABEL: Record<string, string> = {
  equals: 'is',
  not_equals: 'is not',
  contains: 'contains',
  does_not_contain: 'does not contain',
  starts_with: 'starts with',
  in: 'is one of',
  not_in: 'is none of',
  greater_than: 'is greater than / after',
  less_than: 'is less than / before',
  is_present: 'is set',
  is_absent: 'is not set',
};

/** Custom contact attributes are text (or a dropdown) in the API. */
export function attributeOf(path: string): RoutingAttribute {
  return ROUTING_ATTRIBUTES.find((a) => a.path === path) ?? { path, label: path, kind: 'string' };
}

export const takesNoValue = (op: string) => op === 'is_present' || op === 'is_absent';
const isList = (op: string, kind: AttributeKind) => op === 'in' || op === 'not_in' || (kind === 'string[]' && (op === 'equals' || op === 'not_equals'));

/** The form's text to the condition's value (lists comma-separated, numbers and booleans typed). */
export function parseValue(kind: AttributeKind, op: string, text: string): unknown {
  if (takesNoValue(op)) return undefined;
  const one = (t: string): unknown => {
    const v = t.trim();
    if (kind === 'number') return v === '' || Number.isNaN(Number(v)) ? v : Number(v);
    if (kind === 'boolean') return v === 'true' ? true : v === 'false' ? false : v;
    return v;
  };
  if (isList(op, kind)) return text.split(',').map(one).filter((v) => v !== '');
  return one(text);
}

export function formatValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(String).join(', ');
  return String(value);
}
