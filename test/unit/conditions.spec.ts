import {
  applyOperator,
  evaluateConditions,
  evaluateRules,
  explainCondition,
  explainRule,
  firstMatchingRule,
  resolvePath,
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
