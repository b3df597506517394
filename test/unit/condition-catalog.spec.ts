/**
 * The attribute catalog and the validation of condition trees: unknown attributes (with a suggestion
 * when one is close), operators that do not fit the attribute's type, values of the wrong shape,
 * malformed and too deep groups — each problem naming its field inside the tree.
 */
import {
  ATTRIBUTE_CATALOG,
  closest,
  type ConditionContext,
  conditionAttributePaths,
  lookupAttribute,
  MAX_CONDITIONS,
  OPERATORS_BY_TYPE,
  operatorsForAttribute,
  validateConditionList,
  validateConditionTree,
} from '../../src/modules/routing/condition-catalog';
import { CONDITION_OPERATORS, type ConditionNode } from '../../src/modules/routing/conditions';
import { CONVERSATION_STATUSES } from '../../src/modules/conversations/conversation.entity';

const ctx: ConditionContext = {
  attributeDefinitions: [
    { key: 'plan', type: 'dropdown', options: ['Free', 'Gold'] },
    { key: 'credit_score', type: 'text' },
    { key: 'city', type: 'text' },
  ],
  platformAttributeKeys: ['browser'],
};

const problems = (node: unknown, c: ConditionContext = ctx) => validateConditionTree(node, c);
const one = (condition: Record<string, unknown>, c: ConditionContext = ctx) => problems({ all: [condition] }, c);

describe('a valid tree has no problems', () => {
  test('every operator where it fits, nested three levels', () => {
    const tree: ConditionNode = {
      all: [
        { attribute: 'message.content', operator: 'contains', value: 'refund' },
        { attribute: 'message.content', operator: 'does_not_contain', value: 'cancel' },
        { attribute: 'contact.name', operator: 'starts_with', value: 'Dr' },
        {
          any: [
            { attribute: 'contact.vip', operator: 'equals', value: true },
            { attribute: 'conversation.priority', operator: 'greater_than', value: 2 },
            { attribute: 'conversation.priority', operator: 'in', value: [3, 4] },
            {
              all: [
                { attribute: 'conversation.status', operator: 'not_in', value: ['resolved', 'spam'] },
                { attribute: 'conversation.tags', operator: 'contains', value: 'billing' },
                { attribute: 'conversation.tags', operator: 'equals', value: [] },
                { attribute: 'contact.email', operator: 'is_absent' },
                { attribute: 'contact.phone', operator: 'is_present', value: false },
                { attribute: 'conversation.status', operator: 'changed', from: 'pending', to: 'new' },
                { attribute: 'conversation.assigneeId', operator: 'changed', from: null },
                { attribute: 'conversation.tags', operator: 'changed', to: ['a', 'b'] },
                { attribute: 'conversation.waitingSince', operator: 'less_than', value: '2026-01-31T09:00:00Z' },
                { attribute: 'time.weekday', operator: 'in', value: ['sat', 'sun'] },
                { attribute: 'time.time', operator: 'greater_than', value: '17:30' },
                { attribute: 'time.hour', operator: 'less_than', value: 9 },
                { attribute: 'businessHours.open', operator: 'equals', value: false },
                { attribute: 'assignee.online', operator: 'equals', value: false },
                { attribute: 'contact.attributes.plan', operator: 'equals', value: 'gold' },
                { attribute: 'contact.attributes.plan', operator: 'is_absent' },
                { attribute: 'contact.attributes.credit_score', operator: 'greater_than', value: 500000 },
                { attribute: 'contact.attributes.city', operator: 'equals', value: 'Berlin' },
                { attribute: 'contact.attributes.browser', operator: 'starts_with', value: 'Fire' },
                { attribute: 'message.direction', operator: 'equals', value: 'inbound' },
                { attribute: 'event.tag', operator: 'equals', value: 'x' },
              ],
            },
          ],
        },
      ],
    };
    expect(problems(tree)).toEqual([]);
  });

  test('an empty top level (matches everything, or nothing for any) and a lone condition', () => {
    expect(problems({ all: [] })).toEqual([]);
    expect(problems({ any: [] })).toEqual([]);
    expect(problems({ attribute: 'contact.vip', operator: 'equals', value: true })).toEqual([]);
  });

  test('six levels of groups are allowed', () => {
    let node: ConditionNode = { attribute: 'contact.vip', operator: 'equals', value: true };
    for (let i = 0; i < 6; i++) node = i % 2 ? { any: [node] } : { all: [node] };
    expect(problems(node)).toEqual([]);
  });
});

describe('unknown attributes', () => {
  test('named, with a suggestion when one is close', () => {
    expect(problems({ all: [{ attribute: 'contact.vip', operator: 'equals', value: true }, { any: [{ attribute: 'conversaton.status', operator: 'equals', value: 'new' }] }] })).toEqual([
      { field: 'conditions.all.1.any.0.attribute', problem: 'unknown attribute "conversaton.status"; did you mean "conversation.status"?' },
    ]);
    expect(one({ attribute: 'conversation.createdat', operator: 'is_present' })).toEqual([
      { field: 'conditions.all.0.attribute', problem: 'unknown attribute "conversation.createdat"; did you mean "conversation.createdAt"?' },
    ]);
    expect(one({ attribute: 'weather', operator: 'equals', value: 'sunny' })).toEqual([{ field: 'conditions.all.0.attribute', problem: 'unknown attribute "weather"' }]);
  });

  test('contact.<key> for a custom attribute suggests contact.attributes.<key>', () => {
    expect(one({ attribute: 'contact.plan', operator: 'equals', value: 'Gold' })).toEqual([
      { field: 'conditions.all.0.attribute', problem: 'unknown attribute "contact.plan"; did you mean "contact.attributes.plan"?' },
    ]);
  });

  test('custom attribute keys come from the account: a close one is suggested, else the known keys are listed', () => {
    expect(one({ attribute: 'contact.attributes.pla', operator: 'equals', value: 'Gold' })).toEqual([
      { field: 'conditions.all.0.attribute', problem: 'unknown contact attribute "pla"; did you mean "contact.attributes.plan"?' },
    ]);
    expect(one({ attribute: 'contact.attributes.shoe_size', operator: 'equals', value: '42' })).toEqual([
      {
        field: 'conditions.all.0.attribute',
        problem: 'unknown contact attribute "shoe_size": no custom attribute of your account (plan, credit_score, city, browser) or platform attribute has this key',
      },
    ]);
    expect(one({ attribute: 'contact.attributes.plan', operator: 'equals', value: 'Gold' }, {})[0].problem).toBe(
      'unknown contact attribute "plan": no custom attribute of your account or platform attribute has this key',
    );
    expect(one({ attribute: 'contact.attributes.plan.tier', operator: 'equals', value: 'x' })[0].field).toBe('conditions.all.0.attribute');
  });
});

describe('operators that do not fit', () => {
  test('named with the type and the operators that fit', () => {
    expect(problems({ all: [{ attribute: 'contact.vip', operator: 'equals', value: true }, { any: [{ attribute: 'conversation.channel', operator: 'greater_than', value: 2 }] }] })).toEqual([
      {
        field: 'conditions.all.1.any.0.operator',
        problem: '"greater_than" does not fit conversation.channel: it is one of api, email, sms (use equals, not_equals, in, not_in, is_present, is_absent, changed)',
      },
    ]);
    expect(one({ attribute: 'contact.vip', operator: 'contains', value: 'x' })[0]).toEqual({
      field: 'conditions.all.0.operator',
      problem: '"contains" does not fit contact.vip: it is a boolean (use equals, not_equals, is_present, is_absent, changed)',
    });
    expect(one({ attribute: 'message.content', operator: 'greater_than', value: 3 })[0].problem).toMatch(/^"greater_than" does not fit message.content: it is a string/);
    expect(one({ attribute: 'conversation.createdAt', operator: 'equals', value: '2026-01-01' })[0].problem).toMatch(/it is a datetime \(use greater_than, less_than, is_present, is_absent\)/);
    expect(one({ attribute: 'time.weekday', operator: 'starts_with', value: 's' })[0].field).toBe('conditions.all.0.operator');
    expect(one({ attribute: 'conversation.tags', operator: 'starts_with', value: 'b' })[0].problem).toMatch(/it is a list of tags/);
  });

  test('changed: only on what events change, and never in routing', () => {
    expect(one({ attribute: 'time.hour', operator: 'changed' })[0]).toEqual({
      field: 'conditions.all.0.operator',
      problem: '"changed" does not fit time.hour: no event changes it (use equals, not_equals, greater_than, less_than, in, not_in, is_present, is_absent)',
    });
    expect(one({ attribute: 'conversation.status', operator: 'changed' }, { ...ctx, scope: 'routing' })[0]).toEqual({
      field: 'conditions.all.0.operator',
      problem: '"changed" does not fit conversation.status: routing rules run on no event, so nothing "changed" (use equals, not_equals, in, not_in, is_present, is_absent)',
    });
    expect(one({ attribute: 'conversation.createdAt', operator: 'changed' })[0].problem).toMatch(/it is a datetime/);
  });

  test('unknown and missing operators', () => {
    expect(one({ attribute: 'contact.vip', operator: 'matches', value: true })).toEqual([
      { field: 'conditions.all.0.operator', problem: `unknown operator "matches" (use one of ${CONDITION_OPERATORS.join(', ')})` },
    ]);
    expect(one({ attribute: 'contact.vip', value: true })).toEqual([{ field: 'conditions.all.0.operator', problem: 'is required' }]);
    expect(one({ operator: 'equals', value: true })).toEqual([{ field: 'conditions.all.0.attribute', problem: 'is required' }]);
    expect(one({ attribute: 42, operator: 'equals', value: true })).toEqual([{ field: 'conditions.all.0.attribute', problem: 'must be a string' }]);
  });
});

describe('values that do not fit', () => {
  const valueProblem = (condition: Record<string, unknown>, c: ConditionContext = ctx) => {
    const found = one(condition, c);
    expect(found).toHaveLength(1);
    return found[0];
  };

  test('numbers', () => {
    expect(valueProblem({ attribute: 'conversation.priority', operator: 'greater_than', value: 'high' })).toEqual({ field: 'conditions.all.0.value', problem: 'must be a number' });
    expect(valueProblem({ attribute: 'conversation.priority', operator: 'equals', value: 7 }).problem).toBe('must be from 0 to 4');
    expect(valueProblem({ attribute: 'conversation.priority', operator: 'equals', value: 1.5 }).problem).toBe('must be a whole number');
    expect(valueProblem({ attribute: 'time.hour', operator: 'less_than', value: 24 }).problem).toBe('must be from 0 to 23');
  });

  test('lists for in / not_in, each item fitting', () => {
    expect(valueProblem({ attribute: 'conversation.channel', operator: 'in', value: 'sms' })).toEqual({ field: 'conditions.all.0.value', problem: 'must be a list of values' });
    expect(valueProblem({ attribute: 'conversation.channel', operator: 'not_in', value: [] }).problem).toBe('must list at least one value');
    expect(valueProblem({ attribute: 'conversation.channel', operator: 'in', value: ['sms', 'fax'] }).problem).toBe('item 1: must be one of api, email, sms');
    expect(valueProblem({ attribute: 'conversation.priority', operator: 'in', value: [1, '2'] }).problem).toBe('item 1: must be a number');
    expect(valueProblem({ attribute: 'conversation.tags', operator: 'in', value: ['a', 3] }).problem).toBe('item 1: must be a string');
    expect(valueProblem({ attribute: 'message.content', operator: 'in', value: new Array(101).fill('x') }).problem).toBe('at most 100 values');
  });

  test('enum values, with a suggestion', () => {
    expect(valueProblem({ attribute: 'conversation.status', operator: 'equals', value: 'closed' })).toEqual({
      field: 'conditions.all.0.value',
      problem: `must be one of ${CONVERSATION_STATUSES.join(', ')}`,
    });
    expect(valueProblem({ attribute: 'conversation.status', operator: 'equals', value: 'pendng' }).problem).toBe(`must be one of ${CONVERSATION_STATUSES.join(', ')} (did you mean "pending"?)`);
    expect(one({ attribute: 'conversation.status', operator: 'equals', value: 'Pending' })).toEqual([]); // case-insensitive, as equals
    expect(valueProblem({ attribute: 'contact.attributes.plan', operator: 'equals', value: 'Platinum' }).problem).toBe('must be one of Free, Gold');
    expect(valueProblem({ attribute: 'message.senderType', operator: 'equals', value: 'bot' }).problem).toMatch(/^must be one of contact, agent, system, ai, note/);
  });

  test('weekdays, clock times, ISO datetimes, booleans, strings', () => {
    expect(valueProblem({ attribute: 'time.weekday', operator: 'equals', value: 'funday' }).problem).toBe('must be a weekday: mon, tue, wed, thu, fri, sat, sun');
    expect(valueProblem({ attribute: 'time.weekday', operator: 'in', value: ['sat', 'sunday'] }).problem).toBe('item 1: must be a weekday: mon, tue, wed, thu, fri, sat, sun');
    expect(valueProblem({ attribute: 'time.time', operator: 'greater_than', value: '9am' }).problem).toBe('must be a time of day HH:MM (00:00-23:59)');
    expect(valueProblem({ attribute: 'time.time', operator: 'less_than', value: '24:00' }).problem).toBe('must be a time of day HH:MM (00:00-23:59)');
    expect(valueProblem({ attribute: 'conversation.createdAt', operator: 'greater_than', value: 'yesterday' }).problem).toMatch(/^must be an ISO 8601 date or timestamp/);
    expect(one({ attribute: 'conversation.createdAt', operator: 'greater_than', value: '2026-01-31' })).toEqual([]);
    expect(one({ attribute: 'conversation.createdAt', operator: 'greater_than', value: '2026-01-31T09:00:00.250+01:00' })).toEqual([]);
    expect(valueProblem({ attribute: 'contact.vip', operator: 'equals', value: 'yes' }).problem).toBe('must be true or false');
    expect(valueProblem({ attribute: 'contact.name', operator: 'equals', value: 5 }).problem).toBe('must be a string');
    expect(valueProblem({ attribute: 'message.content', operator: 'contains', value: '' }).problem).toBe('must not be empty');
    expect(valueProblem({ attribute: 'conversation.tags', operator: 'equals', value: 'billing' }).problem).toBe('must be a list of values');
  });

  test('custom text attributes compare as numbers or dates with greater_than / less_than', () => {
    expect(one({ attribute: 'contact.attributes.credit_score', operator: 'less_than', value: '2026-01-01' })).toEqual([]);
    expect(one({ attribute: 'contact.attributes.credit_score', operator: 'equals', value: 5 })).toEqual([]);
    expect(valueProblem({ attribute: 'contact.attributes.credit_score', operator: 'greater_than', value: 'high' }).problem).toBe('must be a number or an ISO 8601 date or timestamp');
  });

  test('missing and null values', () => {
    expect(valueProblem({ attribute: 'contact.vip', operator: 'equals' })).toEqual({ field: 'conditions.all.0.value', problem: 'is required' });
    expect(valueProblem({ attribute: 'contact.email', operator: 'equals', value: null }).problem).toBe('must not be null (use is_absent / is_present)');
    expect(valueProblem({ attribute: 'contact.email', operator: 'in', value: ['a@b.c', null] }).problem).toBe('item 1: must not be null (use is_absent / is_present)');
  });

  test('is_present / is_absent take no value or a boolean; changed takes from / to, not value; from / to belong to changed', () => {
    expect(valueProblem({ attribute: 'contact.email', operator: 'is_present', value: 'yes' })).toEqual({ field: 'conditions.all.0.value', problem: 'is_present takes no value (or true / false)' });
    expect(one({ attribute: 'contact.email', operator: 'is_absent', value: true })).toEqual([]);
    expect(valueProblem({ attribute: 'conversation.status', operator: 'changed', value: 'new' })).toEqual({ field: 'conditions.all.0.value', problem: 'changed takes from and to (each optional), not value' });
    expect(valueProblem({ attribute: 'conversation.status', operator: 'changed', from: 'waiting' })).toEqual({
      field: 'conditions.all.0.from',
      problem: `must be one of ${CONVERSATION_STATUSES.join(', ')}`,
    });
    expect(valueProblem({ attribute: 'conversation.priority', operator: 'changed', to: 'urgent' })).toEqual({ field: 'conditions.all.0.to', problem: 'must be a number' });
    expect(valueProblem({ attribute: 'conversation.status', operator: 'equals', value: 'new', to: 'open' })).toEqual({ field: 'conditions.all.0.to', problem: 'belongs to the changed operator only' });
  });
});

describe('the shape of the tree', () => {
  test('not an object, both all and any, stray keys', () => {
    expect(problems({ all: ['contact.vip'] })).toEqual([
      { field: 'conditions.all.0', problem: 'must be a condition {attribute, operator, value} or a group {all: [...]} or {any: [...]}' },
    ]);
    expect(problems(null)).toEqual([{ field: 'conditions', problem: 'must be a condition {attribute, operator, value} or a group {all: [...]} or {any: [...]}' }]);
    expect(problems({ all: [], any: [] })).toEqual([{ field: 'conditions', problem: 'a group holds either all or any, not both: nest one group inside the other' }]);
    expect(problems({ all: [], name: 'x' })).toEqual([{ field: 'conditions.name', problem: 'is not a known field (a group holds all or any)' }]);
    expect(problems({ any: [], attribute: 'contact.vip' })).toEqual([{ field: 'conditions.attribute', problem: 'a group holds only all or any: put the condition inside the group' }]);
    expect(one({ attribute: 'contact.vip', operator: 'equals', value: true, negate: true })).toEqual([
      { field: 'conditions.all.0.negate', problem: 'is not a known field (a condition has attribute, operator and value; changed takes from and to)' },
    ]);
    expect(problems({ all: { attribute: 'contact.vip' } })).toEqual([{ field: 'conditions.all', problem: 'must be a list of conditions or groups' }]);
  });

  test('a nested empty group is refused', () => {
    expect(problems({ all: [{ attribute: 'contact.vip', operator: 'equals', value: true }, { any: [] }] })).toEqual([
      { field: 'conditions.all.1.any', problem: 'an empty group: add conditions to it or remove it' },
    ]);
  });

  test('seven levels are refused at the seventh group', () => {
    let node: ConditionNode = { attribute: 'contact.vip', operator: 'equals', value: true };
    for (let i = 0; i < 7; i++) node = i % 2 ? { any: [node] } : { all: [node] };
    expect(problems(node)).toEqual([{ field: 'conditions.all.0.any.0.all.0.any.0.all.0.any.0', problem: 'groups nest at most 6 levels deep' }]);
  });

  test('group and tree sizes are bounded', () => {
    const vip = { attribute: 'contact.vip', operator: 'equals', value: true };
    expect(problems({ all: new Array(51).fill(vip) })).toEqual([{ field: 'conditions.all', problem: 'at most 50 entries in one group' }]);
    const wide = { all: new Array(5).fill({ any: new Array(45).fill(vip) }) };
    expect(problems(wide)).toEqual([{ field: 'conditions', problem: `at most ${MAX_CONDITIONS} conditions in one rule (this has 225)` }]);
  });

  test('every problem of a tree is reported, each at its own field', () => {
    expect(
      problems(
        {
          any: [
            { attribute: 'conversation.status', operator: 'equals', value: 'closed' },
            { all: [{ attribute: 'contact.vipp', operator: 'equals', value: true }, { attribute: 'conversation.priority', operator: 'less_than', value: 'low' }] },
          ],
        },
        { ...ctx, field: 'settings.rules.3.conditions' },
      ).map((p) => p.field),
    ).toEqual(['settings.rules.3.conditions.any.0.value', 'settings.rules.3.conditions.any.1.all.0.attribute', 'settings.rules.3.conditions.any.1.all.1.value']);
  });
});

describe('routing rules: the list is the top level', () => {
  const routing: ConditionContext = { ...ctx, scope: 'routing', field: 'settings.routing.rules.0.conditions' };

  test('entries are conditions or groups; fields follow the list', () => {
    expect(validateConditionList([{ attribute: 'contact.vip', operator: 'equals', value: true }, { any: [{ attribute: 'message.content', operator: 'contains', value: 'refund' }] }], routing)).toEqual([]);
    expect(validateConditionList([], routing)).toEqual([]);
    expect(
      validateConditionList([{ attribute: 'contact.vip', operator: 'equals', value: true }, { any: [{ attribute: 'conversation.priority', operator: 'greater_than', value: 'x' }] }], routing),
    ).toEqual([{ field: 'settings.routing.rules.0.conditions.1.any.0.value', problem: 'must be a number' }]);
    expect(validateConditionList([{ attribute: 'weather', operator: 'equals' }], routing)).toEqual([{ field: 'settings.routing.rules.0.conditions.0.attribute', problem: 'unknown attribute "weather"' }]);
    expect(validateConditionList('vip', routing)).toEqual([{ field: 'settings.routing.rules.0.conditions', problem: 'must be a list of conditions or groups' }]);
  });

  test('the rule is level 1: five nested levels inside the list, not six', () => {
    let node: ConditionNode = { attribute: 'contact.vip', operator: 'equals', value: true };
    for (let i = 0; i < 5; i++) node = { all: [node] };
    expect(validateConditionList([node], routing)).toEqual([]);
    expect(validateConditionList([{ any: [node] }], routing)).toEqual([
      { field: 'settings.routing.rules.0.conditions.0.any.0.all.0.all.0.all.0.all.0', problem: 'groups nest at most 6 levels deep' },
    ]);
  });

  test('routing reads what routing facts hold: no clock, no assignee, no event', () => {
    const [p] = validateConditionList([{ attribute: 'time.hour', operator: 'less_than', value: 9 }], routing);
    expect(p.field).toBe('settings.routing.rules.0.conditions.0.attribute');
    expect(p.problem).toMatch(/^"time.hour" is not known when routing decides \(routing rules read conversation.id, conversation.status, .*contact.attributes.<key>\)$/);
    expect(validateConditionList([{ attribute: 'conversation.assigned', operator: 'equals', value: true }], routing)[0].problem).toMatch(/is not known when routing decides/);
    expect(validateConditionList([{ attribute: 'contact.attributes.plan', operator: 'in', value: ['Gold'] }], routing)).toEqual([]);
  });

  test('every attribute routingFacts() fills (routing-facts.ts) is in the catalog for routing', () => {
    // The leaves of the object routingFacts() returns, as written there.
    const routingFactPaths = [
      'conversation.id',
      'conversation.status',
      'conversation.channel',
      'conversation.priority',
      'conversation.tags',
      'conversation.createdAt',
      'message.content',
      'message.createdAt',
      'contact.id',
      'contact.name',
      'contact.email',
      'contact.phone',
      'contact.vip',
      'inbox.id',
      'inbox.name',
      'inbox.channel',
    ];
    for (const path of routingFactPaths) expect([path, lookupAttribute(path)?.routing]).toEqual([path, true]);
    expect(ATTRIBUTE_CATALOG.filter((a) => a.routing).map((a) => a.path).sort()).toEqual([...routingFactPaths].sort());
  });
});

describe('the catalog', () => {
  test("covers the design's facts", () => {
    const facts = [
      'conversation.id conversation.status conversation.priority conversation.tags conversation.channel conversation.assigneeId conversation.assigned',
      'conversation.teamId conversation.createdAt conversation.inboxId conversation.lastCustomerMessageAt conversation.lastAgentMessageAt',
      'conversation.waitingSince conversation.firstResponseAt conversation.statusSince message.content message.direction message.senderType message.createdAt',
      'contact.id contact.name contact.email contact.phone contact.vip contact.tags inbox.id inbox.name inbox.channel assignee.id assignee.name assignee.online',
      'team.id team.name time.hour time.minute time.weekday time.time businessHours.open event.type',
    ].flatMap((line) => line.split(' '));
    expect(facts.filter((path) => !lookupAttribute(path))).toEqual([]);
  });

  test('types: custom dropdowns are enums of their options, custom text and platform attributes text', () => {
    expect(lookupAttribute('contact.attributes.plan', ctx)?.type).toEqual({ kind: 'enum', values: ['Free', 'Gold'] });
    expect(lookupAttribute('contact.attributes.city', ctx)?.type).toEqual({ kind: 'text' });
    expect(lookupAttribute('contact.attributes.browser', ctx)?.type).toEqual({ kind: 'text' });
    expect(lookupAttribute('contact.attributes.browser', {})).toBeNull();
    expect(lookupAttribute('conversation.tags')?.type).toEqual({ kind: 'string[]' });
  });

  test('every operator fits some type; changed only where events change things', () => {
    const used = new Set(Object.values(OPERATORS_BY_TYPE).flat());
    expect(CONDITION_OPERATORS.filter((op) => !used.has(op))).toEqual([]);
    expect(operatorsForAttribute(lookupAttribute('conversation.status')!)).toContain('changed');
    expect(operatorsForAttribute(lookupAttribute('conversation.status')!, { scope: 'routing' })).not.toContain('changed');
    expect(operatorsForAttribute(lookupAttribute('inbox.name')!)).not.toContain('changed');
  });

  test('conditionAttributePaths: each attribute a tree reads, once', () => {
    expect(
      conditionAttributePaths([
        { attribute: 'contact.attributes.plan', operator: 'equals', value: 'Gold' },
        { any: [{ attribute: 'contact.vip', operator: 'equals', value: true }, { all: [{ attribute: 'contact.attributes.plan', operator: 'is_present' }] }] },
      ]),
    ).toEqual(['contact.attributes.plan', 'contact.vip']);
    expect(conditionAttributePaths(null)).toEqual([]);
  });

  test('closest: slips only', () => {
    expect(closest('conversation.stauts', ['conversation.status', 'contact.vip'])).toBe('conversation.status');
    expect(closest('vip', ['contact.vip'])).toBeNull();
    expect(closest('xyz', [])).toBeNull();
  });
});
