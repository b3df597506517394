import { collectValues, compactEvaluation, evaluateRuleConditions, explainWithValues, restoreEvaluation, type RuleEvaluation } from '../../src/modules/automation/rule-evaluation';
import type { ConditionNode } from '../../src/modules/routing/conditions';

const facts = {
  conversation: { id: 'c1', status: 'open', priority: 0, tags: ['a'] },
  contact: { vip: false, attributes: {} },
  time: { weekday: 'wed' },
  message: { content: 'Hello, I need help with order 42' },
  event: { type: 'message_received' },
};

const keywordRule: ConditionNode = {
  all: [
    { attribute: 'message.content', operator: 'contains', value: 'refund' },
    { any: [{ attribute: 'contact.vip', operator: 'equals', value: true }, { attribute: 'conversation.priority', operator: 'greater_than', value: 2 }, { attribute: 'contact.email', operator: 'is_present' }] },
  ],
};

function evaluation(conditions: ConditionNode, on: Record<string, unknown> = facts): RuleEvaluation {
  const e = evaluateRuleConditions({ conditions }, on);
  return { ruleId: 'r1', version: 3, name: 'Refunds', matched: e.matched, trace: e.trace, explanation: e.explanation };
}

describe('compact evaluation records', () => {
  test('a rule that did not fire is stored without the values the run facts hold, and comes back identical', () => {
    const full = evaluation(keywordRule);
    const stored = JSON.parse(JSON.stringify(compactEvaluation(full, facts))) as RuleEvaluation;
    expect(stored.factsRef).toBe(true);
    expect(stored.explanation).toBeUndefined();
    expect(JSON.stringify(stored)).not.toContain('Hello, I need help');
    expect(JSON.stringify(stored).length).toBeLessThan(JSON.stringify(full).length);
    expect(restoreEvaluation(stored, facts)).toEqual(JSON.parse(JSON.stringify(full)));
  });

  test('a value that differs from the run facts (read after an earlier firing) is kept', () => {
    const later = { ...facts, conversation: { ...facts.conversation, priority: 3 } };
    const full = evaluation(keywordRule, later);
    const stored = JSON.parse(JSON.stringify(compactEvaluation(full, facts))) as RuleEvaluation;
    expect(JSON.stringify(stored)).toContain('"actual":3');
    expect(restoreEvaluation(stored, facts)).toEqual(JSON.parse(JSON.stringify(full)));
  });

  test('a missing value that the run facts have keeps the evaluation whole', () => {
    const before = { ...facts, contact: { vip: false, attributes: {} } };
    const after = { ...facts, contact: { vip: false, attributes: {}, email: 'x@example.com' } };
    const full = evaluation(keywordRule, before);
    expect(compactEvaluation(full, after)).toBe(full);
  });

  test('fired evaluations and rows of old code are left as they are', () => {
    const fired = { ...evaluation(keywordRule), fired: true, firingId: '7' };
    expect(compactEvaluation(fired, facts)).toBe(fired);
    const old = evaluation(keywordRule);
    expect(restoreEvaluation(old, null)).toBe(old);
  });

  test('the history form lists each value once and leaves it out of the explanations', () => {
    const a = evaluation(keywordRule);
    const b = evaluation({ all: [{ attribute: 'message.content', operator: 'starts_with', value: 'bye' }] });
    const values: Record<string, unknown> = {};
    collectValues(a.trace!, values);
    collectValues(b.trace!, values);
    expect(values).toEqual({ 'message.content': 'Hello, I need help with order 42', 'contact.vip': false, 'conversation.priority': 0 });
    expect(explainWithValues(a.trace!, values)).toBe(
      'all of (message.content contains "refund" ✗, any of (contact.vip equals true ✗, conversation.priority greater than 2 ✗, contact.email is present (was missing) ✗) ✗)',
    );
    expect(explainWithValues(b.trace!, values)).toBe('all of (message.content starts with "bye" ✗)');
  });
});
