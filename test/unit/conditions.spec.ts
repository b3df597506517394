import {
  applyOperator,
  type ConditionNode,
  describeActual,
  describeCondition,
  evaluateConditions,
  evaluateConditionTree,
  evaluateRules,
  explainCondition,
  explainRule,
  explainRuleTrace,
  explainTrace,
  firstMatchingRule,
  groupOf,
  isGroupTrace,
  mapTraceConditions,
  resolvePath,
  traceConditions,
  traceMatched,
} from '../../src/modules/routing/conditions';
import type { RoutingRule, RuleCondition } from '../../src/modules/inboxes/inbox-settings';

const facts = {
  contact: {
    vip: true,
    name: 'Jane Doe',
    email: 'jane@example.com',
    phone: '',
    tags: ['Billing', 'enterprise'],
    emptyList: [],
    nothing: null,
    attributes: { plan: 'Gold', seats: 25, renewsAt: '2026-06-01T00:00:00Z', score: '7.5' },
  },
  message: { content: 'Hello, I need a REFUND for my order', createdAt: '2026-01-05T10:00:00+01:00' },
  conversation: { channel: 'email', status: 'new', priority: 2, createdAt: new Date('2026-01-05T09:00:00Z') },
  inbox: { id: 'inbox-1' },
};

const check = (attribute: string, operator: RuleCondition['operator'], value?: unknown) =>
  evaluateConditions('all', [{ attribute, operator, value }], facts).matched;

describe('attribute paths', () => {
  test('dotted paths into nested objects', () => {
    expect(resolvePath(facts, 'contact.vip')).toBe(true);
    expect(resolvePath(facts, 'contact.attributes.plan')).toBe('Gold');
    expect(resolvePath(facts, 'contact.tags.1')).toBe('enterprise');
    expect(resolvePath(facts, 'conversation.channel')).toBe('email');
  });

  test('missing attributes are undefined', () => {
    expect(resolvePath(facts, 'contact.attributes.unknown')).toBeUndefined();
    expect(resolvePath(facts, 'contact.name.first')).toBeUndefined();
    expect(resolvePath(facts, 'nope.deeper.still')).toBeUndefined();
    expect(resolvePath(facts, '')).toBeUndefined();
    const r = evaluateConditions('all', [{ attribute: 'contact.attributes.unknown', operator: 'equals', value: 'x' }], facts);
    expect(r.details[0].actual).toBeUndefined();
  });

  test('flat facts whose keys contain dots', () => {
    expect(resolvePath({ 'contact.vip': true }, 'contact.vip')).toBe(true);
    expect(resolvePath({ contact: { 'attributes.plan': 'Gold' } }, 'contact.attributes.plan')).toBe('Gold');
  });
});

describe('equals / not_equals', () => {
  test('strings compare case-insensitively', () => {
    expect(check('contact.attributes.plan', 'equals', 'gold')).toBe(true);
    expect(check('conversation.channel', 'equals', 'EMAIL')).toBe(true);
    expect(check('conversation.channel', 'equals', 'sms')).toBe(false);
    expect(check('conversation.channel', 'not_equals', 'sms')).toBe(true);
    expect(check('conversation.channel', 'not_equals', 'Email')).toBe(false);
  });

  test('booleans strictly, and against "true"/"false" strings', () => {
    expect(check('contact.vip', 'equals', true)).toBe(true);
    expect(check('contact.vip', 'equals', 'true')).toBe(true);
    expect(check('contact.vip', 'equals', 'TRUE')).toBe(true);
    expect(check('contact.vip', 'equals', false)).toBe(false);
    expect(check('contact.vip', 'equals', 'false')).toBe(false);
    expect(check('contact.vip', 'equals', 1)).toBe(false);
    expect(check('contact.vip', 'not_equals', false)).toBe(true);
  });

  test('numbers strictly (a numeric string counts as its number)', () => {
    expect(check('conversation.priority', 'equals', 2)).toBe(true);
    expect(check('conversation.priority', 'equals', '2')).toBe(true);
    expect(check('conversation.priority', 'equals', 3)).toBe(false);
    expect(check('conversation.priority', 'equals', 'two')).toBe(false);
    expect(check('conversation.priority', 'not_equals', 3)).toBe(true);
  });

  test('missing attribute and null', () => {
    expect(check('contact.attributes.unknown', 'equals', 'x')).toBe(false);
    expect(check('contact.attributes.unknown', 'not_equals', 'x')).toBe(true);
    expect(check('contact.nothing', 'equals', null)).toBe(true);
    expect(check('contact.attributes.unknown', 'equals', null)).toBe(true);
  });

  test('arrays element by element, dates as instants', () => {
    expect(check('contact.tags', 'equals', ['billing', 'Enterprise'])).toBe(true);
    expect(check('contact.tags', 'equals', ['enterprise', 'billing'])).toBe(false);
    expect(check('contact.tags', 'equals', 'billing')).toBe(false);
    expect(check('conversation.createdAt', 'equals', '2026-01-05T10:00:00+01:00')).toBe(true);
  });
});

describe('contains', () => {
  test('string contains, case-insensitive', () => {
    expect(check('message.content', 'contains', 'refund')).toBe(true);
    expect(check('message.content', 'contains', 'Hello, I')).toBe(true);
    expect(check('message.content', 'contains', 'cancel')).toBe(false);
  });

  test('array contains an element', () => {
    expect(check('contact.tags', 'contains', 'billing')).toBe(true);
    expect(check('contact.tags', 'contains', 'bill')).toBe(false); // elements, not substrings
    expect(check('contact.tags', 'contains', 'vip')).toBe(false);
  });

  test('missing or non-string actual: false', () => {
    expect(check('contact.attributes.unknown', 'contains', 'x')).toBe(false);
    expect(check('contact.vip', 'contains', 'true')).toBe(false);
  });
});

describe('in', () => {
  test('actual is one of the list, case-insensitive', () => {
    expect(check('conversation.channel', 'in', ['sms', 'Email'])).toBe(true);
    expect(check('conversation.channel', 'in', ['sms', 'api'])).toBe(false);
    expect(check('conversation.priority', 'in', [1, 2])).toBe(true);
    expect(check('conversation.priority', 'in', [3, 4])).toBe(false);
  });

  test('a comma-separated string is a list', () => {
    expect(check('conversation.channel', 'in', 'sms, email')).toBe(true);
    expect(check('conversation.channel', 'in', 'sms, api')).toBe(false);
  });

  test('array actual: any overlap', () => {
    expect(check('contact.tags', 'in', ['vip', 'ENTERPRISE'])).toBe(true);
    expect(check('contact.tags', 'in', ['vip', 'press'])).toBe(false);
    expect(check('contact.emptyList', 'in', ['vip'])).toBe(false);
  });

  test('missing actual: false', () => {
    expect(check('contact.attributes.unknown', 'in', ['x'])).toBe(false);
  });
});

describe('greater_than / less_than', () => {
  test('numbers', () => {
    expect(check('contact.attributes.seats', 'greater_than', 10)).toBe(true);
    expect(check('contact.attributes.seats', 'greater_than', 25)).toBe(false);
    expect(check('contact.attributes.seats', 'less_than', 100)).toBe(true);
    expect(check('contact.attributes.seats', 'less_than', 25)).toBe(false);
    expect(check('contact.attributes.score', 'greater_than', 7)).toBe(true); // numeric string
    expect(check('contact.attributes.seats', 'greater_than', '9')).toBe(true);
  });

  test('ISO dates and timestamps compare as instants', () => {
    expect(check('contact.attributes.renewsAt', 'greater_than', '2026-05-31')).toBe(true);
    expect(check('contact.attributes.renewsAt', 'less_than', '2026-05-31')).toBe(false);
    // 10:00+01:00 is 09:00Z
    expect(check('message.createdAt', 'less_than', '2026-01-05T09:30:00Z')).toBe(true);
    expect(check('message.createdAt', 'greater_than', '2026-01-05T09:30:00Z')).toBe(false);
    expect(check('conversation.createdAt', 'less_than', '2026-01-05T09:00:01Z')).toBe(true); // a Date fact
    expect(check('conversation.createdAt', 'greater_than', Date.parse('2026-01-05T08:00:00Z'))).toBe(true); // epoch ms
  });

  test('not comparable or missing: false both ways', () => {
    expect(check('conversation.channel', 'greater_than', 3)).toBe(false);
    expect(check('conversation.channel', 'less_than', 3)).toBe(false);
    expect(check('contact.attributes.unknown', 'greater_than', 0)).toBe(false);
    expect(check('contact.attributes.unknown', 'less_than', 0)).toBe(false);
    expect(check('contact.attributes.renewsAt', 'greater_than', 'not a date')).toBe(false);
    expect(applyOperator('greater_than', '2026-02-30', '2026-01-01')).toBe(false); // no such day
  });
});

describe('is_present', () => {
  test('present values', () => {
    expect(check('contact.email', 'is_present')).toBe(true);
    expect(check('contact.email', 'is_present', true)).toBe(true);
    expect(check('contact.vip', 'is_present')).toBe(true);
    expect(check('contact.tags', 'is_present')).toBe(true);
  });

  test('null, undefined, empty string and empty array are absent', () => {
    expect(check('contact.phone', 'is_present')).toBe(false);
    expect(check('contact.nothing', 'is_present')).toBe(false);
    expect(check('contact.attributes.unknown', 'is_present')).toBe(false);
    expect(check('contact.emptyList', 'is_present')).toBe(false);
  });

  test('value false means "is absent"', () => {
    expect(check('contact.phone', 'is_present', false)).toBe(true);
    expect(check('contact.attributes.unknown', 'is_present', 'false')).toBe(true);
    expect(check('contact.email', 'is_present', false)).toBe(false);
  });
});

describe('all / any', () => {
  const vip: RuleCondition = { attribute: 'contact.vip', operator: 'equals', value: true };
  const sms: RuleCondition = { attribute: 'conversation.channel', operator: 'equals', value: 'sms' };
  const refund: RuleCondition = { attribute: 'message.content', operator: 'contains', value: 'refund' };

  test('all: every condition must hold', () => {
    expect(evaluateConditions('all', [vip, refund], facts).matched).toBe(true);
    expect(evaluateConditions('all', [vip, sms], facts).matched).toBe(false);
  });

  test('any: one condition is enough', () => {
    expect(evaluateConditions('any', [sms, refund], facts).matched).toBe(true);
    expect(evaluateConditions('any', [sms], facts).matched).toBe(false);
  });

  test('empty conditions: all matches, any does not', () => {
    expect(evaluateConditions('all', [], facts)).toEqual({ matched: true, details: [] });
    expect(evaluateConditions('any', [], facts)).toEqual({ matched: false, details: [] });
  });

  test('details for every condition, no short circuit', () => {
    const r = evaluateConditions('any', [refund, sms], facts);
    expect(r.details).toEqual([
      { attribute: 'message.content', operator: 'contains', expected: 'refund', actual: facts.message.content, passed: true },
      { attribute: 'conversation.channel', operator: 'equals', expected: 'sms', actual: 'email', passed: false },
    ]);
  });

  test('an unknown operator never passes', () => {
    const r = evaluateConditions('all', [{ attribute: 'contact.vip', operator: 'matches' as RuleCondition['operator'], value: true }], facts);
    expect(r.matched).toBe(false);
  });
});

describe('firstMatchingRule', () => {
  const rules: RoutingRule[] = [
    { name: 'SMS', match: 'all', conditions: [{ attribute: 'conversation.channel', operator: 'equals', value: 'sms' }], target: { type: 'team', id: 'sms' } },
    { name: 'VIP', match: 'all', conditions: [{ attribute: 'contact.vip', operator: 'equals', value: true }], target: { type: 'team', id: 'vip' } },
    { name: 'Refunds', match: 'any', conditions: [{ attribute: 'message.content', operator: 'contains', value: 'refund' }], target: { type: 'agent', id: 'a1' } },
  ];

  test('checked in order, the first match wins', () => {
    const m = firstMatchingRule(rules, facts);
    expect(m).not.toBeNull();
    expect(m!.index).toBe(1);
    expect(m!.rule.name).toBe('VIP');
    expect(m!.rule.target).toEqual({ type: 'team', id: 'vip' });
    expect(m!.details).toEqual([{ attribute: 'contact.vip', operator: 'equals', expected: true, actual: true, passed: true }]);

    const reordered = firstMatchingRule([rules[2], rules[1]], facts);
    expect(reordered!.rule.name).toBe('Refunds');
    expect(reordered!.index).toBe(0);
  });

  test('no match: null; no rules: null', () => {
    const notVip = { ...facts, contact: { ...facts.contact, vip: false }, message: { content: 'hi' } };
    expect(firstMatchingRule(rules, notVip)).toBeNull();
    expect(firstMatchingRule([], facts)).toBeNull();
  });

  test('a rule with no conditions and match all catches everything', () => {
    const catchAll: RoutingRule = { name: 'Everything', match: 'all', conditions: [], target: { type: 'ai_agent' } };
    expect(firstMatchingRule([rules[0], catchAll, rules[1]], facts)!.rule.name).toBe('Everything');
  });

  test('evaluateRules: the trace up to and including the first match', () => {
    const trace = evaluateRules(rules, facts);
    expect(trace.map((r) => [r.rule.name, r.evaluation.matched])).toEqual([
      ['SMS', false],
      ['VIP', true],
    ]);
  });
});

describe('explanations', () => {
  test('a matched rule', () => {
    const rule: RoutingRule = { name: 'VIP', match: 'all', conditions: [{ attribute: 'contact.vip', operator: 'equals', value: true }], target: { type: 'team', id: 't' } };
    const m = firstMatchingRule([rule], facts)!;
    expect(explainRule(m.rule, m)).toBe('rule "VIP" matched: contact.vip equals true (was true)');
    expect(explainRule(rule, evaluateConditions(rule.match, rule.conditions, facts))).toBe('rule "VIP" matched: contact.vip equals true (was true)');
  });

  test('all: a miss names the failed conditions', () => {
    const conditions: RuleCondition[] = [
      { attribute: 'contact.vip', operator: 'equals', value: true },
      { attribute: 'conversation.channel', operator: 'in', value: ['sms', 'api'] },
      { attribute: 'contact.attributes.region', operator: 'equals', value: 'EU' },
    ];
    const r = evaluateConditions('all', conditions, facts);
    expect(explainRule({ name: 'SMS VIPs', match: 'all' }, r)).toBe(
      'rule "SMS VIPs" did not match: conversation.channel in ["sms", "api"] (was "email") and contact.attributes.region equals "EU" (was missing)',
    );
  });

  test('any: a match names the conditions that held, a miss names them all', () => {
    const conditions: RuleCondition[] = [
      { attribute: 'message.content', operator: 'contains', value: 'refund' },
      { attribute: 'contact.attributes.seats', operator: 'greater_than', value: 100 },
    ];
    expect(explainRule({ name: 'Money', match: 'any' }, evaluateConditions('any', conditions, facts))).toBe(
      'rule "Money" matched: message.content contains "refund" (was "Hello, I need a REFUND for my order")',
    );
    const quiet = { message: { content: 'hi' }, contact: { attributes: { seats: 3 } } };
    expect(explainRule({ name: 'Money', match: 'any' }, evaluateConditions('any', conditions, quiet))).toBe(
      'rule "Money" did not match: message.content contains "refund" (was "hi") or contact.attributes.seats greater than 100 (was 3)',
    );
  });

  test('each operator reads as words', () => {
    const say = (c: RuleCondition) => explainCondition(evaluateConditions('all', [c], facts).details[0]);
    expect(say({ attribute: 'conversation.channel', operator: 'not_equals', value: 'sms' })).toBe('conversation.channel does not equal "sms" (was "email")');
    expect(say({ attribute: 'conversation.priority', operator: 'less_than', value: 5 })).toBe('conversation.priority less than 5 (was 2)');
    expect(say({ attribute: 'contact.email', operator: 'is_present' })).toBe('contact.email is present (was "jane@example.com")');
    expect(say({ attribute: 'contact.phone', operator: 'is_present', value: false })).toBe('contact.phone is absent (was "")');
    expect(say({ attribute: 'contact.tags', operator: 'contains', value: 'billing' })).toBe('contact.tags contains "billing" (was ["Billing", "enterprise"])');
    expect(say({ attribute: 'contact.nothing', operator: 'equals', value: null })).toBe('contact.nothing equals null (was null)');
  });

  test('no conditions', () => {
    expect(explainRule({ name: 'Everything', match: 'all' }, { matched: true, details: [] })).toBe('rule "Everything" matched: no conditions');
    expect(explainRule({ name: 'Nothing', match: 'any' }, { matched: false, details: [] })).toBe('rule "Nothing" did not match: no conditions');
  });

  test('long values are shortened', () => {
    const long = 'x'.repeat(200);
    const text = explainCondition({ attribute: 'message.content', operator: 'contains', expected: 'y', actual: long, passed: false });
    expect(text.length).toBeLessThan(120);
    expect(text).toContain('…');
  });
});

// ---------------------------------------------------------------------------------------------
// The extended language: new operators, 'changed', nested groups, the trace tree and its texts.

describe('operators on every kind of value, missing and null included', () => {
  const values = {
    text: 'Hello, I need a REFUND',
    blank: '   ',
    empty: '',
    number: 25,
    zero: 0,
    yes: true,
    no: false,
    list: ['Billing', 'enterprise'],
    emptyList: [] as string[],
    nothing: null,
    date: '2026-06-01T00:00:00Z',
    clock: '09:30',
  };
  const on = (key: string, operator: RuleCondition['operator'], value?: unknown) => evaluateConditions('all', [{ attribute: `v.${key}`, operator, value }], { v: values }).matched;

  test('does_not_contain: strings (case-insensitive) and arrays; a missing, null or non-text attribute does not contain it', () => {
    expect(on('text', 'does_not_contain', 'refund')).toBe(false);
    expect(on('text', 'does_not_contain', 'cancel')).toBe(true);
    expect(on('list', 'does_not_contain', 'billing')).toBe(false);
    expect(on('list', 'does_not_contain', 'bill')).toBe(true); // elements, not substrings
    expect(on('emptyList', 'does_not_contain', 'x')).toBe(true);
    expect(on('missing', 'does_not_contain', 'x')).toBe(true);
    expect(on('nothing', 'does_not_contain', 'x')).toBe(true);
    expect(on('yes', 'does_not_contain', 'true')).toBe(true);
    expect(on('number', 'does_not_contain', '2')).toBe(true);
  });

  test('starts_with: strings only, case-insensitive', () => {
    expect(on('text', 'starts_with', 'hello')).toBe(true);
    expect(on('text', 'starts_with', 'HELLO, I')).toBe(true);
    expect(on('text', 'starts_with', 'need')).toBe(false);
    expect(on('text', 'starts_with', '')).toBe(true);
    expect(on('list', 'starts_with', 'Bill')).toBe(false);
    expect(on('number', 'starts_with', '2')).toBe(false);
    expect(on('missing', 'starts_with', 'x')).toBe(false);
    expect(on('nothing', 'starts_with', 'x')).toBe(false);
    expect(on('empty', 'starts_with', 'x')).toBe(false);
    expect(applyOperator('starts_with', '2026-01-05', 2026)).toBe(true); // a number reads as its text
  });

  test('not_in: nothing in common with the list; a missing or null attribute passes', () => {
    expect(on('text', 'not_in', ['hello, i need a refund'])).toBe(false);
    expect(on('text', 'not_in', ['hello'])).toBe(true);
    expect(on('number', 'not_in', [1, 25])).toBe(false);
    expect(on('number', 'not_in', [1, 2])).toBe(true);
    expect(on('list', 'not_in', ['vip', 'ENTERPRISE'])).toBe(false);
    expect(on('list', 'not_in', ['vip', 'press'])).toBe(true);
    expect(on('emptyList', 'not_in', ['vip'])).toBe(true);
    expect(on('missing', 'not_in', ['x'])).toBe(true);
    expect(on('nothing', 'not_in', ['x'])).toBe(true);
    expect(on('yes', 'not_in', 'true, maybe')).toBe(false); // comma-separated, as in
  });

  test('is_absent: null, missing, empty or blank strings and empty lists; false and 0 are present', () => {
    expect(on('missing', 'is_absent')).toBe(true);
    expect(on('nothing', 'is_absent')).toBe(true);
    expect(on('empty', 'is_absent')).toBe(true);
    expect(on('blank', 'is_absent')).toBe(true);
    expect(on('emptyList', 'is_absent')).toBe(true);
    expect(on('text', 'is_absent')).toBe(false);
    expect(on('list', 'is_absent')).toBe(false);
    expect(on('no', 'is_absent')).toBe(false);
    expect(on('zero', 'is_absent')).toBe(false);
    expect(on('text', 'is_absent', false)).toBe(true); // value false: "is present"
    expect(on('missing', 'is_absent', 'false')).toBe(false);
  });

  test('the negations are exact for every value and expectation', () => {
    const expectations: unknown[] = ['refund', 'billing', 'x', '', 2, 25, true, false, null, undefined, ['enterprise'], 'sms, 25', []];
    for (const key of [...Object.keys(values), 'missing']) {
      for (const e of expectations) {
        expect([key, e, on(key, 'does_not_contain', e)]).toEqual([key, e, !on(key, 'contains', e)]);
        expect([key, e, on(key, 'not_in', e)]).toEqual([key, e, !on(key, 'in', e)]);
        expect([key, e, on(key, 'not_equals', e)]).toEqual([key, e, !on(key, 'equals', e)]);
      }
      expect([key, on(key, 'is_absent')]).toEqual([key, !on(key, 'is_present')]);
      expect([key, on(key, 'is_absent', false)]).toEqual([key, !on(key, 'is_present', false)]);
    }
  });

  test('old operators on null and missing values', () => {
    for (const key of ['nothing', 'missing']) {
      expect(on(key, 'contains', 'x')).toBe(false);
      expect(on(key, 'in', ['x'])).toBe(false);
      expect(on(key, 'greater_than', 0)).toBe(false);
      expect(on(key, 'less_than', 0)).toBe(false);
      expect(on(key, 'is_present')).toBe(false);
      expect(on(key, 'equals', 'x')).toBe(false);
      expect(on(key, 'not_equals', 'x')).toBe(true);
    }
  });

  test('greater_than / less_than compare clock times HH:MM (and HH:MM:SS) as times of day', () => {
    expect(on('clock', 'greater_than', '09:00')).toBe(true);
    expect(on('clock', 'greater_than', '09:30')).toBe(false);
    expect(on('clock', 'less_than', '10:00')).toBe(true);
    expect(on('clock', 'less_than', '09:30:01')).toBe(true);
    expect(applyOperator('greater_than', '23:59', '00:00')).toBe(true);
    expect(on('clock', 'greater_than', '9am')).toBe(false);
    expect(applyOperator('greater_than', '24:00', '09:00')).toBe(false); // not a time of day
    expect(on('date', 'greater_than', '09:00')).toBe(false); // an instant and a clock time: not comparable
  });

  test('changed never passes through applyOperator (it reads the event); unknown operators never pass', () => {
    expect(applyOperator('changed', 'new', 'new')).toBe(false);
    expect(applyOperator('matches', 'a', 'a')).toBe(false);
  });
});

describe('changed: the event in the facts', () => {
  const statusEvent = { event: { type: 'status_changed', attribute: 'conversation.status', from: 'pending', to: 'new' }, conversation: { status: 'new' } };
  const changed = (facts: Record<string, unknown>, c: Partial<RuleCondition>) =>
    evaluateConditions('all', [{ attribute: 'conversation.status', operator: 'changed', ...c }], facts).details[0];

  test('from and to each optional', () => {
    expect(changed(statusEvent, {}).passed).toBe(true);
    expect(changed(statusEvent, { from: 'pending' }).passed).toBe(true);
    expect(changed(statusEvent, { from: 'PENDING' }).passed).toBe(true); // equals semantics
    expect(changed(statusEvent, { from: 'open' }).passed).toBe(false);
    expect(changed(statusEvent, { to: 'new' }).passed).toBe(true);
    expect(changed(statusEvent, { to: 'resolved' }).passed).toBe(false);
    expect(changed(statusEvent, { from: 'pending', to: 'new' }).passed).toBe(true);
    expect(changed(statusEvent, { from: 'pending', to: 'open' }).passed).toBe(false);
    expect(changed(statusEvent, { from: 'new', to: 'pending' }).passed).toBe(false);
  });

  test('another attribute, no event, an event without an attribute, a change to the same value: false', () => {
    expect(evaluateConditions('all', [{ attribute: 'conversation.priority', operator: 'changed' }], statusEvent).matched).toBe(false);
    expect(changed({ conversation: { status: 'new' } }, {}).passed).toBe(false);
    expect(changed({ event: { type: 'message_received' } }, {}).passed).toBe(false);
    expect(changed({ event: 'status_changed' }, {}).passed).toBe(false);
    expect(changed({ event: { type: 'status_changed', attribute: 'conversation.status', from: 'open', to: 'open' } }, {}).passed).toBe(false);
  });

  test('the current value does not matter: only the event does', () => {
    expect(changed({ ...statusEvent, conversation: { status: 'resolved' } }, { to: 'new' }).passed).toBe(true);
  });

  test('several changes in one event; from null means "from nothing"', () => {
    const facts = {
      event: {
        type: 'contact_updated',
        changes: [
          { attribute: 'contact.vip', from: false, to: true },
          { attribute: 'contact.attributes.plan', from: null, to: 'gold' },
        ],
      },
    };
    const on = (attribute: string, c: Partial<RuleCondition> = {}) => evaluateConditions('all', [{ attribute, operator: 'changed', ...c }], facts).matched;
    expect(on('contact.vip')).toBe(true);
    expect(on('contact.vip', { to: true })).toBe(true);
    expect(on('contact.vip', { to: 'true' })).toBe(true);
    expect(on('contact.vip', { from: true })).toBe(false);
    expect(on('contact.attributes.plan', { from: null, to: 'Gold' })).toBe(true);
    expect(on('contact.attributes.plan', { from: 'silver' })).toBe(false);
    expect(on('contact.email')).toBe(false);
  });

  test('the trace: expected {from?, to?} as given, actual the change (undefined when unchanged)', () => {
    expect(changed(statusEvent, { from: 'pending' })).toEqual({
      attribute: 'conversation.status',
      operator: 'changed',
      expected: { from: 'pending' },
      actual: { from: 'pending', to: 'new' },
      passed: true,
    });
    expect(changed({ event: { type: 'message_received' } }, { to: 'new' })).toEqual({
      attribute: 'conversation.status',
      operator: 'changed',
      expected: { to: 'new' },
      actual: undefined,
      passed: false,
    });
  });

  test('reads as words', () => {
    expect(explainCondition(changed(statusEvent, { from: 'pending', to: 'new' }))).toBe('conversation.status changed from "pending" to "new" (was "pending" -> "new")');
    expect(explainCondition(changed(statusEvent, {}))).toBe('conversation.status changed (was "pending" -> "new")');
    expect(explainCondition(changed({ event: { type: 'x' } }, { to: 'resolved' }))).toBe('conversation.status changed to "resolved" (was unchanged)');
    const fromNothing = { event: { type: 'assigned', attribute: 'conversation.assigneeId', from: null, to: 'u1' } };
    const d = evaluateConditions('all', [{ attribute: 'conversation.assigneeId', operator: 'changed', from: null }], fromNothing).details[0];
    expect(d.passed).toBe(true);
    expect(explainCondition(d)).toBe('conversation.assigneeId changed from null (was null -> "u1")');
  });
});

describe('new operators read as words', () => {
  const say = (c: RuleCondition) => explainCondition(evaluateConditions('all', [c], facts).details[0]);
  test('each', () => {
    expect(say({ attribute: 'message.content', operator: 'does_not_contain', value: 'cancel' })).toBe('message.content does not contain "cancel" (was "Hello, I need a REFUND for my order")');
    expect(say({ attribute: 'contact.name', operator: 'starts_with', value: 'jane' })).toBe('contact.name starts with "jane" (was "Jane Doe")');
    expect(say({ attribute: 'conversation.channel', operator: 'not_in', value: ['sms', 'api'] })).toBe('conversation.channel not in ["sms", "api"] (was "email")');
    expect(say({ attribute: 'contact.phone', operator: 'is_absent' })).toBe('contact.phone is absent (was "")');
    expect(say({ attribute: 'contact.email', operator: 'is_absent', value: false })).toBe('contact.email is present (was "jane@example.com")');
  });
});

describe('nested groups', () => {
  const refund: ConditionNode = { attribute: 'message.content', operator: 'contains', value: 'refund' };
  const vip: ConditionNode = { attribute: 'contact.vip', operator: 'equals', value: true };
  const urgent: ConditionNode = { attribute: 'conversation.priority', operator: 'greater_than', value: 2 };
  const email: ConditionNode = { attribute: 'conversation.channel', operator: 'equals', value: 'email' };
  const sms: ConditionNode = { attribute: 'conversation.channel', operator: 'equals', value: 'sms' };
  const notVip = { ...facts, contact: { ...facts.contact, vip: false } };

  test('three levels of mixed all / any, each group by its own mode', () => {
    // refund AND (vip OR (priority > 2 AND email))
    const tree: ConditionNode = { all: [refund, { any: [vip, { all: [urgent, email] }] }] };
    expect(evaluateConditionTree(tree, facts)).toMatchObject({ matched: true });
    expect(traceMatched(evaluateConditionTree(tree, notVip))).toBe(false); // priority 2 is not > 2
    const urgentNotVip = { ...notVip, conversation: { ...facts.conversation, priority: 3 } };
    expect(traceMatched(evaluateConditionTree(tree, urgentNotVip))).toBe(true);
    const urgentSms = { ...urgentNotVip, conversation: { ...urgentNotVip.conversation, channel: 'sms' } };
    expect(traceMatched(evaluateConditionTree(tree, urgentSms))).toBe(false);
  });

  test('grouping decides, never operator precedence', () => {
    // "sms OR refund AND not-vip" read two ways: the groups say which.
    const notVipCondition: ConditionNode = { attribute: 'contact.vip', operator: 'equals', value: false };
    const orFirst: ConditionNode = { all: [{ any: [sms, refund] }, notVipCondition] };
    const andFirst: ConditionNode = { any: [sms, { all: [refund, notVipCondition] }] };
    expect(traceMatched(evaluateConditionTree(orFirst, facts))).toBe(false);
    expect(traceMatched(evaluateConditionTree(andFirst, facts))).toBe(false);
    const smsVip = { ...facts, conversation: { ...facts.conversation, channel: 'sms' } };
    expect(traceMatched(evaluateConditionTree(orFirst, smsVip))).toBe(false); // the all still needs not-vip
    expect(traceMatched(evaluateConditionTree(andFirst, smsVip))).toBe(true); // sms alone is enough
  });

  test('the trace mirrors the tree, every condition evaluated (no short circuit)', () => {
    const tree: ConditionNode = { any: [refund, { all: [sms, { any: [vip, urgent] }] }] };
    expect(evaluateConditionTree(tree, facts)).toEqual({
      any: [
        { attribute: 'message.content', operator: 'contains', expected: 'refund', actual: 'Hello, I need a REFUND for my order', passed: true },
        {
          all: [
            { attribute: 'conversation.channel', operator: 'equals', expected: 'sms', actual: 'email', passed: false },
            {
              any: [
                { attribute: 'contact.vip', operator: 'equals', expected: true, actual: true, passed: true },
                { attribute: 'conversation.priority', operator: 'greater_than', expected: 2, actual: 2, passed: false },
              ],
              matched: true,
            },
          ],
          matched: false,
        },
      ],
      matched: true,
    });
  });

  test('a lone condition is a node too; empty groups: all matches, any does not', () => {
    expect(evaluateConditionTree(vip, facts)).toEqual({ attribute: 'contact.vip', operator: 'equals', expected: true, actual: true, passed: true });
    expect(evaluateConditionTree({ all: [] }, facts)).toEqual({ all: [], matched: true });
    expect(evaluateConditionTree({ any: [] }, facts)).toEqual({ any: [], matched: false });
    expect(traceMatched(evaluateConditionTree({ all: [vip, { any: [] }] }, facts))).toBe(false);
  });

  test('six levels evaluate; an absurdly deep unvalidated tree does not match and does not throw', () => {
    let six: ConditionNode = vip;
    for (let i = 0; i < 6; i++) six = i % 2 ? { any: [six] } : { all: [six] };
    expect(traceMatched(evaluateConditionTree(six, facts))).toBe(true);
    let deep: ConditionNode = vip;
    for (let i = 0; i < 10_000; i++) deep = { all: [deep] };
    expect(traceMatched(evaluateConditionTree(deep, facts))).toBe(false);
  });

  test('trace helpers: the conditions in order, mapped in place', () => {
    const trace = evaluateConditionTree({ all: [refund, { any: [sms, vip] }] }, facts);
    expect(traceConditions(trace).map((d) => [d.attribute, d.passed])).toEqual([
      ['message.content', true],
      ['conversation.channel', false],
      ['contact.vip', true],
    ]);
    const masked = mapTraceConditions(trace, (d) => (d.attribute === 'contact.vip' ? { ...d, actual: 'hidden' } : d));
    expect(masked).toMatchObject({ all: [{ actual: facts.message.content }, { any: [{ actual: 'email' }, { actual: 'hidden', passed: true }], matched: true }], matched: true });
    expect(isGroupTrace(trace)).toBe(true);
    expect(isGroupTrace(traceConditions(trace)[0])).toBe(false);
  });

  test('routing rules hold groups as entries: the rule is the group { [match]: conditions }', () => {
    const rules: RoutingRule[] = [
      { name: 'SMS or urgent VIP', match: 'any', conditions: [sms, { all: [vip, urgent] }], target: { type: 'team', id: 't1' } },
      { name: 'Refund VIP or email', match: 'all', conditions: [refund, { any: [vip, email] }], target: { type: 'team', id: 't2' } },
    ];
    const trace = evaluateRules(rules, facts);
    expect(trace.map((t) => [t.rule.name, t.evaluation.matched])).toEqual([
      ['SMS or urgent VIP', false],
      ['Refund VIP or email', true],
    ]);
    expect(evaluateConditions('any', rules[0].conditions, facts)).toEqual({
      matched: false,
      details: [
        { attribute: 'conversation.channel', operator: 'equals', expected: 'sms', actual: 'email', passed: false },
        {
          all: [
            { attribute: 'contact.vip', operator: 'equals', expected: true, actual: true, passed: true },
            { attribute: 'conversation.priority', operator: 'greater_than', expected: 2, actual: 2, passed: false },
          ],
          matched: false,
        },
      ],
    });
    expect(evaluateConditions('all', rules[1].conditions, facts).details).toEqual(
      (evaluateConditionTree(groupOf('all', rules[1].conditions), facts) as { all: unknown[] }).all,
    );
    expect(firstMatchingRule(rules, facts)!.rule.name).toBe('Refund VIP or email');
  });
});

describe('explaining trees', () => {
  const refund: ConditionNode = { attribute: 'message.content', operator: 'contains', value: 'refund' };
  const vip: ConditionNode = { attribute: 'contact.vip', operator: 'equals', value: true };
  const urgent: ConditionNode = { attribute: 'conversation.priority', operator: 'greater_than', value: 2 };
  const quiet = { message: { content: 'I want a REFUND' }, contact: { vip: false }, conversation: { priority: 3 } };

  test('every entry with its mark, nested groups with their own', () => {
    const trace = evaluateConditionTree({ all: [refund, { any: [vip, urgent] }] }, quiet);
    expect(explainTrace(trace)).toBe(
      'all of (message.content contains "refund" (was "I want a REFUND") ✓, any of (contact.vip equals true (was false) ✗, conversation.priority greater than 2 (was 3) ✓) ✓)',
    );
    expect(explainTrace(evaluateConditionTree({ any: [{ all: [] }, { any: [] }] }, quiet))).toBe('any of (all of (no conditions) ✓, any of (no conditions) ✗)');
    expect(explainTrace(evaluateConditionTree(vip, quiet))).toBe('contact.vip equals true (was false)');
  });

  test('a rule holding groups shows its whole tree; a flat rule reads exactly as before', () => {
    const nested = { name: 'Refund VIP', match: 'all' as const, conditions: [refund, { any: [vip, urgent] }] };
    expect(explainRule(nested, evaluateConditions(nested.match, nested.conditions, quiet))).toBe(
      'rule "Refund VIP" matched: all of (message.content contains "refund" (was "I want a REFUND") ✓, any of (contact.vip equals true (was false) ✗, conversation.priority greater than 2 (was 3) ✓) ✓)',
    );
    const miss = { ...quiet, conversation: { priority: 1 } };
    expect(explainRule(nested, evaluateConditions(nested.match, nested.conditions, miss))).toBe(
      'rule "Refund VIP" did not match: all of (message.content contains "refund" (was "I want a REFUND") ✓, any of (contact.vip equals true (was false) ✗, conversation.priority greater than 2 (was 1) ✗) ✗)',
    );
    // Derived verdict (a firstMatchingRule() result carries no `matched`).
    expect(explainRule(nested, { details: evaluateConditions(nested.match, nested.conditions, quiet).details })).toMatch(/^rule "Refund VIP" matched: all of/);
    const flat = { name: 'Refunds', match: 'any' as const, conditions: [refund, vip] };
    expect(explainRule(flat, evaluateConditions(flat.match, flat.conditions, quiet))).toBe('rule "Refunds" matched: message.content contains "refund" (was "I want a REFUND")');
  });

  test('explainRuleTrace: an automation rule whose conditions are one node', () => {
    const trace = evaluateConditionTree({ any: [vip, urgent] }, quiet);
    expect(explainRuleTrace({ name: 'A' }, trace)).toBe('rule "A" matched: conversation.priority greater than 2 (was 3)');
    const nested = evaluateConditionTree({ all: [refund, { any: [vip] }] }, quiet);
    expect(explainRuleTrace({ name: 'B' }, nested)).toBe('rule "B" did not match: all of (message.content contains "refund" (was "I want a REFUND") ✓, any of (contact.vip equals true (was false) ✗) ✗)');
    expect(explainRuleTrace({ name: 'C' }, evaluateConditionTree(vip, quiet))).toBe('rule "C" did not match: contact.vip equals true (was false)');
    expect(explainRuleTrace({ name: 'D' }, evaluateConditionTree({ all: [] }, quiet))).toBe('rule "D" matched: no conditions');
  });

  test('describeCondition / describeActual: the two halves of a condition text', () => {
    const d = evaluateConditions('all', [vip], quiet).details[0];
    expect(`${describeCondition(d)} (was ${describeActual(d)})`).toBe(explainCondition(d));
    expect(describeCondition({ attribute: 'contact.email', operator: 'is_present', expected: false })).toBe('contact.email is absent');
  });
});
