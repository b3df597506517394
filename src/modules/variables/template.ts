/**
 * Variables in texts: `{{account.company_name}}`, `{{ contact.first_name }}`, `{{contact.<custom_key>}}`.
 * Pure code (no Nest, no database): parsing, checking against the known names and rendering.
 * Every text that takes variables (welcome, out-of-office and CSAT texts, saved replies, campaigns)
 * goes through these functions, so they all behave alike.
 */

/** `{{ name }}`: anything but braces between the double braces; surrounding spaces are ignored. */
const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;

export interface Placeholder {
  /** the trimmed name, e.g. "contact.first_name" */
  name: string;
  /** the placeholder exactly as written, e.g. "{{ contact.first_name }}" */
  raw: string;
  index: number;
}

export type VariableSource = 'account' | 'contact';

export interface BuiltinVariable {
  name: string;
  source: VariableSource;
  label: string;
}

/** The variables every account has; custom contact attributes add `contact.<key>`. */
export const BUILTIN_VARIABLES: readonly BuiltinVariable[] = [
  { name: 'account.company_name', source: 'account', label: 'Company name' },
  { name: 'account.address', source: 'account', label: 'Company address' },
  { name: 'account.email', source: 'account', label: 'Company email' },
  { name: 'account.phone', source: 'account', label: 'Company phone' },
  { name: 'contact.name', source: 'contact', label: 'Contact name' },
  { name: 'contact.first_name', source: 'contact', label: 'Contact first name' },
  { name: 'contact.last_name', source: 'contact', label: 'Contact last name' },
  { name: 'contact.email', source: 'contact', label: 'Contact email' },
  { name: 'contact.phone', source: 'contact', label: 'Contact phone' },
];

/** The variable name of a custom contact attribute. */
export function contactAttributeVariable(key: string): string {
  return `contact.${key}`;
}

/** Every `{{...}}` in the text, in order of appearance. */
export function parsePlaceholders(text: string): Placeholder[] {
  const out: Placeholder[] = [];
  for (const m of text.matchAll(PLACEHOLDER)) out.push({ name: m[1].trim(), raw: m[0], index: m.index ?? 0 });
  return out;
}

/** Distinct names used in the text, in order of first appearance. */
export function variableNames(text: string): string[] {
  return [...new Set(parsePlaceholders(text).map((p) => p.name))];
}

/** Distinct names used in the text that are not in `known`, in order of first appearance. */
export function findUnknownVariables(text: string, known: ReadonlySet<string>): string[] {
  return variableNames(text).filter((name) => !known.has(name));
}

const isBlank = (v: string | null | undefined): boolean => v === undefined || v === null || v.trim() === '';

/**
 * Replaces every placeholder: its value when present and not blank, else the variable's default,
 * else the empty string. Text outside placeholders is kept exactly.
 */
export function renderTemplate(
  text: string,
  values: Readonly<Record<string, string | null | undefined>>,
  defaults: Readonly<Record<string, string>> = {},
): string {
  return text.replace(PLACEHOLDER, (_raw, inner: string) => {
    const name = inner.trim();
    const value = Object.prototype.hasOwnProperty.call(values, name) ? values[name] : undefined;
    if (!isBlank(value)) return value as string;
    const fallback = Object.prototype.hasOwnProperty.call(defaults, name) ? defaults[name] : undefined;
    return typeof fallback === 'string' ? fallback : '';
  });
}

/** "Jane Mary Doe" -> first "Jane", last "Mary Doe"; blank -> nulls. */
export function splitName(name: string | null | undefined): { first: string | null; last: string | null } {
  const parts = (name ?? '').trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return { first: null, last: null };
  return { first: parts[0], last: parts.length > 1 ? parts.slice(1).join(' ') : null };
}

export interface AccountVariableSource {
  companyName: string | null;
  address: string | null;
  email: string | null;
  phone: string | null;
}

export interface ContactVariableSource {
  name: string | null;
  email: string | null;
  phone: string | null;
  attributes: Record<string, unknown>;
}

/** The values of the account variables. */
export function accountValues(account: AccountVariableSource | null | undefined): Record<string, string | null> {
  return {
    'account.company_name': account?.companyName ?? null,
    'account.address': account?.address ?? null,
    'account.email': account?.email ?? null,
    'account.phone': account?.phone ?? null,
  };
}

/** The values of the contact variables; `attributeKeys` are the account's custom attribute keys. */
export function contactValues(contact: ContactVariableSource | null | undefined, attributeKeys: readonly string[] = []): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const key of attributeKeys) {
    const v = contact?.attributes?.[key];
    out[contactAttributeVariable(key)] = v === undefined || v === null ? null : String(v);
  }
  const { first, last } = splitName(contact?.name);
  // The built-in ones win over a custom attribute that happens to share the name.
  Object.assign(out, {
    'contact.name': contact?.name ?? null,
    'contact.first_name': first,
    'contact.last_name': last,
    'contact.email': contact?.email ?? null,
    'contact.phone': contact?.phone ?? null,
  });
  return out;
}
