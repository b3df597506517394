import { evaluateRuleConditions, TRACE_VALUE_MAX_CHARS } from '../../src/modules/automation/rule-evaluation';
import type { ConditionDetail, GroupTrace } from '../../src/modules/routing/conditions';

/** A long email is in the run's facts once; each rule's recorded trace keeps a readable piece of it. */
describe('recorded rule traces', () => {
  const body = `Dear team, ${'lorem ipsum '.repeat(2000)} please refund me`;
  const facts = { message: { content: body }, contact: { tags: Array.from({ length: 80 }, (_, i) => `t${i}`) } };

  test('the decision uses the whole value; the trace keeps at most TRACE_VALUE_MAX_CHARS of it', () => {
    const r = evaluateRuleConditions({ conditions: { all: [{ attribute: 'message.content', operator: 'contains', value: 'please refund' }] } }, facts);
    expect(r.matched).toBe(true); // the words are near the end, far past the cut
    const detail = (r.trace as GroupTrace & { all: ConditionDetail[] }).all[0];
    expect(typeof detail.actual).toBe('string');
    expect((detail.actual as string).length).toBe(TRACE_VALUE_MAX_CHARS);
    expect((detail.actual as string).startsWith('Dear team,')).toBe(true);
    expect((detail.actual as string).endsWith('…')).toBe(true);
    expect(JSON.stringify(r.trace).length).toBeLessThan(1000);
  });

  test('long lists are cut too; short values stay as they are', () => {
    const r = evaluateRuleConditions(
      { conditions: { any: [{ attribute: 'contact.tags', operator: 'contains', value: 't79' }, { attribute: 'message.content', operator: 'starts_with', value: 'Dear' }] } },
      { ...facts, message: { content: 'Dear all' } },
    );
    expect(r.matched).toBe(true);
    const [tags, content] = (r.trace as GroupTrace & { any: ConditionDetail[] }).any;
    expect(tags.passed).toBe(true);
    expect((tags.actual as string[]).length).toBe(50);
    expect(content.actual).toBe('Dear all');
  });
});
