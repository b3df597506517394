/**
 * Masking hidden contact attributes in recorded rule traces (what non-administrators read in the
 * timeline): decisions as route-conversation writes them, built with the real evaluator and explainer.
 */
import { HIDDEN_VALUE, maskHiddenAttributes } from '../../src/modules/conversations/decision-visibility';
import { evaluateConditionTree, evaluateRules, explainRule, explainTrace, type MatchMode } from '../../src/modules/routing/conditions';
import type { ConditionNode } from '../../src/modules/routing/conditions';

const facts = {
  message: { content: 'hello' },
  contact: { id: 'c1', name: 'Ada', vip: false, attributes: { score: 'S3CRET-42', city: 'Berlin', plan: 'gold' } },
};
const hidden = new Set(['score']);

/** A routing decision exactly as recorded: summary `<explanation> -> …`, details.trace with explanations and conditions. */
function decision(match: MatchMode, conditions: ConditionNode[]) {
  const rule = { name: 'R', match, conditions, target: { type: 'team' as const, id: 't1' } };
  const trace = evaluateRules([rule], facts);
  const details = JSON.parse(
    JSON.stringify({
      trace: trace.map((t) => ({ rule: t.rule.name, index: t.index, matched: t.evaluation.matched, explanation: explainRule(t.rule, t.evaluation), conditions: t.evaluation.details })),
    }),
  ) as Record<string, unknown>;
  return { summary: `${explainRule(rule, trace[0].evaluation)} -> team "Risk"`, details };
}

test('a hidden attribute value is masked in the conditions, the explanation and the summary; visible ones stay', () => {
  const d = decision('all', [
    { attribute: 'contact.attributes.score', operator: 'contains', value: 'S3CRET' },
    { attribute: 'contact.attributes.city', operator: 'equals', value: 'Berlin' },
  ]);
  expect(d.summary).toContain('S3CRET-42');
  const m = maskHiddenAttributes(d, hidden);
  expect(m.summary).toBe(`rule "R" matched: contact.attributes.score contains "S3CRET" (was ${HIDDEN_VALUE}) and contact.attributes.city equals "Berlin" (was "Berlin") -> team "Risk"`);
  const [step] = m.details!.trace as { explanation: string; conditions: { actual: unknown; passed: boolean }[] }[];
  expect(step.conditions.map((c) => [c.actual, c.passed])).toEqual([
    [HIDDEN_VALUE, true],
    ['Berlin', true],
  ]);
  expect(step.explanation).toBe(m.summary.replace(' -> team "Risk"', ''));
  expect(JSON.stringify(m)).not.toContain('S3CRET-42');
  // The decision itself is not changed (it is the administrators' view).
  expect(d.summary).toContain('S3CRET-42');
});

test('a missing hidden value is masked too (absence is a fact about it)', () => {
  const d = decision('any', [{ attribute: 'contact.attributes.score.detail', operator: 'is_present', value: true }]);
  const m = maskHiddenAttributes(d, hidden);
  expect(m.summary).toBe(`rule "R" did not match: contact.attributes.score.detail is present (was ${HIDDEN_VALUE}) -> team "Risk"`);
});

test('conditions reading the whole contact or all its attributes lose the hidden keys only', () => {
  const d = decision('any', [
    { attribute: 'contact.attributes', operator: 'is_present', value: true },
    { attribute: 'contact', operator: 'is_present', value: true },
  ]);
  expect(JSON.stringify(d)).toContain('S3CRET-42');
  const m = maskHiddenAttributes(d, hidden);
  expect(JSON.stringify(m)).not.toContain('S3CRET-42');
  const [step] = m.details!.trace as { conditions: { actual: Record<string, unknown> }[] }[];
  expect(step.conditions[0].actual).toEqual({ city: 'Berlin', plan: 'gold' });
  expect((step.conditions[1].actual as { attributes: unknown }).attributes).toEqual({ city: 'Berlin', plan: 'gold' });
  expect(m.summary).toContain('"city":"Berlin"');
});

test('nothing hidden, or no trace: unchanged', () => {
  const d = decision('all', [{ attribute: 'contact.attributes.score', operator: 'is_present', value: true }]);
  expect(maskHiddenAttributes(d, new Set())).toBe(d);
  const plain = { summary: 'waiting in the queue at position 1', details: { position: 1 } };
  expect(maskHiddenAttributes(plain, hidden)).toBe(plain);
  // A visible attribute whose key merely starts like a hidden one is not masked.
  const scoreboard = decision('all', [{ attribute: 'contact.attributes.scoreboard', operator: 'is_present', value: false }]);
  expect(maskHiddenAttributes(scoreboard, hidden).summary).toBe(scoreboard.summary);
});

test('conditions inside nested groups are masked in the trace tree, the explanation and the summary', () => {
  const d = decision('all', [
    { attribute: 'contact.attributes.city', operator: 'equals', value: 'Berlin' },
    { any: [{ attribute: 'contact.vip', operator: 'equals', value: true }, { all: [{ attribute: 'contact.attributes.score', operator: 'starts_with', value: 'S3' }] }] },
  ]);
  expect(d.summary).toBe(
    'rule "R" matched: all of (contact.attributes.city equals "Berlin" (was "Berlin") ✓, any of (contact.vip equals true (was false) ✗, all of (contact.attributes.score starts with "S3" (was "S3CRET-42") ✓) ✓) ✓) -> team "Risk"',
  );
  const m = maskHiddenAttributes(d, hidden);
  expect(m.summary).toBe(
    `rule "R" matched: all of (contact.attributes.city equals "Berlin" (was "Berlin") ✓, any of (contact.vip equals true (was false) ✗, all of (contact.attributes.score starts with "S3" (was ${HIDDEN_VALUE}) ✓) ✓) ✓) -> team "Risk"`,
  );
  const [step] = m.details!.trace as { explanation: string; conditions: unknown[] }[];
  expect(step.explanation).toBe(m.summary.replace(' -> team "Risk"', ''));
  expect(step.conditions[1]).toEqual({
    any: [
      { attribute: 'contact.vip', operator: 'equals', expected: true, actual: false, passed: false },
      { all: [{ attribute: 'contact.attributes.score', operator: 'starts_with', expected: 'S3', actual: HIDDEN_VALUE, passed: true }], matched: true },
    ],
    matched: true,
  });
  expect(JSON.stringify(m)).not.toContain('S3CRET-42');
});

test('a changed condition on a hidden attribute: the change is masked', () => {
  const rule = { name: 'R', match: 'all' as const, conditions: [{ attribute: 'contact.attributes.score', operator: 'changed' as const, to: 'S3CRET-42' }] };
  const facts2 = { event: { type: 'contact_updated', changes: [{ attribute: 'contact.attributes.score', from: 'OLD-1', to: 'S3CRET-42' }] } };
  const trace = evaluateRules([rule], facts2);
  const details = JSON.parse(JSON.stringify({ trace: trace.map((t) => ({ rule: t.rule.name, explanation: explainRule(t.rule, t.evaluation), conditions: t.evaluation.details })) })) as Record<string, unknown>;
  const d = { summary: explainRule(rule, trace[0].evaluation), details };
  expect(d.summary).toBe('rule "R" matched: contact.attributes.score changed to "S3CRET-42" (was "OLD-1" -> "S3CRET-42")');
  const m = maskHiddenAttributes(d, hidden);
  // The condition's own value is the rule author's text; what the contact held is masked.
  expect(m.summary).toBe(`rule "R" matched: contact.attributes.score changed to "S3CRET-42" (was ${HIDDEN_VALUE})`);
  expect(JSON.stringify(m)).not.toContain('OLD-1');
});

test('an automation decision (details.trace is the rule\'s condition tree): masked in the tree and the summary', () => {
  const conditions = { all: [{ attribute: 'contact.attributes.score', operator: 'contains' as const, value: 'S3' }, { attribute: 'contact.attributes.city', operator: 'equals' as const, value: 'Berlin' }] };
  const trace = evaluateConditionTree(conditions, facts);
  // As RunAutomationUseCase records a firing.
  const d = {
    summary: `rule "A" (v2) fired on message received: ${explainTrace(trace)}; then add tag: tag vip`,
    details: JSON.parse(JSON.stringify({ ruleId: 'r1', ruleVersion: 2, trace, actions: [] })) as Record<string, unknown>,
  };
  expect(d.summary).toContain('(was "S3CRET-42")');
  const m = maskHiddenAttributes(d, hidden);
  expect(m.summary).toBe(
    `rule "A" (v2) fired on message received: all of (contact.attributes.score contains "S3" (was ${HIDDEN_VALUE}) ✓, contact.attributes.city equals "Berlin" (was "Berlin") ✓); then add tag: tag vip`,
  );
  expect((m.details!.trace as { all: { actual: unknown }[] }).all.map((c) => c.actual)).toEqual([HIDDEN_VALUE, 'Berlin']);
  expect(JSON.stringify(m)).not.toContain('S3CRET-42');
});
