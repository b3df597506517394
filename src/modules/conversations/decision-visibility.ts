/**
 * What of a recorded decision a caller may read. Routing rules evaluate every contact attribute,
 * hidden ones too (managers and administrators write the rules, and routing must work), and the
 * decision keeps what it saw: the conditions with their `actual` values and the stored summary
 * `rule "…" matched: contact.attributes.score equals "9" (was "9")`. Custom attributes an
 * administrator marked hidden (`visible: false`) are for administrators only, so for everyone else
 * the timeline masks them when it is read: `actual` becomes HIDDEN_VALUE, and every condition's text
 * in the summary and in the per-rule `explanation` is rewritten the same way.
 *
 * Masking at read time rather than when the summary is written: visibility is decided by the
 * attribute definitions as they are now (an attribute hidden after the decision is masked too, as the
 * contact view does), decisions recorded before this code are covered, and administrators keep the
 * full text. The summary is rebuilt exactly because explainCondition() wrote it: the text of each
 * masked condition is replaced by the text of the condition as the caller may see it. Conditions
 * inside nested groups (a trace entry `{ all|any: [...], matched }`) are masked the same way.
 * Pure code: the caller loads the hidden keys.
 */
import { type ConditionDetail, type ConditionTrace, describeCondition, explainCondition, mapTraceConditions } from '../routing/conditions';

export const HIDDEN_VALUE = '(hidden attribute)';

const ATTRIBUTES_PATH = 'contact.attributes';

/** How a condition path touches hidden attributes: its value is one, it holds some (a whole object), or neither. */
function reach(path: string, hidden: ReadonlySet<string>): 'value' | 'object' | null {
  if (path === 'contact' || path === ATTRIBUTES_PATH) return 'object';
  if (!path.startsWith(`${ATTRIBUTES_PATH}.`)) return null;
  const key = path.slice(ATTRIBUTES_PATH.length + 1).split('.')[0];
  return hidden.has(key) ? 'value' : null;
}

function withoutHidden(attributes: unknown, hidden: ReadonlySet<string>): unknown {
  if (attributes === null || typeof attributes !== 'object' || Array.isArray(attributes)) return attributes;
  return Object.fromEntries(Object.entries(attributes as Record<string, unknown>).filter(([k]) => !hidden.has(k)));
}

/** The condition as a non-administrator may see it, and the text explainCondition() gives for it. */
function maskCondition(d: ConditionDetail, hidden: ReadonlySet<string>): { masked: ConditionDetail; text: string } | null {
  const how = typeof d?.attribute === 'string' ? reach(d.attribute, hidden) : null;
  if (!how) return null;
  if (how === 'value') return { masked: { ...d, actual: HIDDEN_VALUE }, text: `${describeCondition(d)} (was ${HIDDEN_VALUE})` };
  const actual = d.attribute === 'contact' && d.actual && typeof d.actual === 'object'
    ? { ...(d.actual as Record<string, unknown>), attributes: withoutHidden((d.actual as Record<string, unknown>).attributes, hidden) }
    : withoutHidden(d.actual, hidden);
  const masked = { ...d, actual };
  return { masked, text: explainCondition(masked) };
}

function replaceAll(text: string, from: string, to: string): string {
  return from && from !== to ? text.split(from).join(to) : text;
}

/**
 * The decision's summary and details with hidden attribute values masked (details.trace[].conditions[]
 * and .explanation, and the summary). Unchanged when nothing in it reads a hidden attribute.
 */
export function maskHiddenAttributes(
  decision: { summary: string; details?: Record<string, unknown> },
  hidden: ReadonlySet<string>,
): { summary: string; details?: Record<string, unknown> } {
  const trace = decision.details?.trace;
  if (hidden.size === 0 || !hasTrace(decision.details)) return decision;
  // An automation rule's decision holds its condition tree's trace itself (one node, not a list of rules).
  if (!Array.isArray(trace)) {
    const masked = maskTrace(trace as ConditionTrace, [decision.summary], hidden);
    return { summary: masked.texts[0], details: { ...decision.details, trace: masked.trace } };
  }
  let summary = decision.summary;
  const maskedTrace = trace.map((step: unknown) => {
    const entry = step as { conditions?: ConditionTrace[]; explanation?: string };
    if (!entry || !Array.isArray(entry.conditions)) return step;
    let explanation = entry.explanation;
    const conditions = entry.conditions.map((node) =>
      mapTraceConditions(node, (d) => {
        const m = maskCondition(d, hidden);
        if (!m) return d;
        const original = explainCondition(d);
        summary = replaceAll(summary, original, m.text);
        if (typeof explanation === 'string') explanation = replaceAll(explanation, original, m.text);
        return m.masked;
      }),
    );
    return { ...entry, conditions, ...(explanation !== undefined ? { explanation } : {}) };
  });
  return { summary, details: { ...decision.details, trace: maskedTrace } };
}

/**
 * A condition tree's trace (an automation rule's evaluation, nested groups included) with hidden
 * attribute values masked, and `texts` that quote it (its explanation, a summary) rewritten the same way.
 */
export function maskTrace(trace: ConditionTrace, texts: string[], hidden: ReadonlySet<string>): { trace: ConditionTrace; texts: string[] } {
  if (hidden.size === 0 || trace === null || typeof trace !== 'object') return { trace, texts };
  let out = [...texts];
  const masked = mapTraceConditions(trace, (d) => {
    const m = maskCondition(d, hidden);
    if (!m) return d;
    const original = explainCondition(d);
    out = out.map((t) => (typeof t === 'string' ? replaceAll(t, original, m.text) : t));
    return m.masked;
  });
  return { trace: masked, texts: out };
}

/**
 * Whether a decision's details carry a rule trace (the only place attribute values are recorded):
 * routing decisions a list of rules, automation decisions one condition tree.
 */
export function hasTrace(details: Record<string, unknown> | null | undefined): boolean {
  const trace = details?.trace;
  return Array.isArray(trace) || (trace !== null && typeof trace === 'object');
}
