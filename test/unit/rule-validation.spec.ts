/**
 * The pure checks of an automation rule (rule-validation.ts): each bad trigger, condition and action
 * is one problem naming its field; good rules come back normalised.
 */
import { checkRuleDefinition, MAX_ACTIONS, type RuleValidationOptions } from '../../src/modules/automation/rule-validation';

const opts: RuleValidationOptions = {
  minDurationSeconds: 60,
  conditionContext: { attributeDefinitions: [{ key: 'plan', type: 'dropdown', options: ['free', 'gold'] }, { key: 'secret', type: 'text' }] },
  hiddenAttributeKeys: new Set(['secret']),
};

const base = { trigger: { event: 'message_received' }, actions: [{ type: 'add_tag', tag: 'x' }] };
const problems = (input: Record<string, unknown>, o: Partial<RuleValidationOptions> = {}) => checkRuleDefinition({ ...base, ...input } as never, { ...opts, ...o }).problems;

describe('trigger', () => {
  test.each([
    ['trigger', { trigger: 'message_received' }, /must be an object/],
    ['trigger.event', { trigger: {} }, /is required/],
    ['trigger.event', { trigger: { event: 'message_recieved' } }, /unknown event "message_recieved" \(did you mean "message_received"\?\)/],
    ['trigger.from.0', { trigger: { event: 'status_changed', from: ['closed'] } }, /must be a status: new, open, pending, resolved, spam/],
    ['trigger.to.0', { trigger: { event: 'status_changed', to: 'nope' } }, /must be a status/],
    ['trigger.to', { trigger: { event: 'status_changed', from: ['open'], to: ['open'] } }, /never happens/],
    ['trigger.minutes', { trigger: { event: 'message_received', minutes: 5 } }, /is not a field of a message_received trigger/],
    ['trigger.tags', { trigger: { event: 'tag_added', tags: 'vip' } }, /must be a list of tags/],
    ['trigger.tags.0', { trigger: { event: 'tag_added', tags: ['  '] } }, /must not be empty/],
    ['trigger.minutes', { trigger: { event: 'conversation_idle' } }, /is required for a time-based trigger/],
    ['trigger.minutes', { trigger: { event: 'conversation_idle', minutes: '30' } }, /must be a number of minutes/],
    ['trigger.minutes', { trigger: { event: 'conversation_idle', minutes: 0.5 } }, /must be at least 1 minute \(AUTOMATION_MIN_DURATION_SECONDS is 60\)/],
    ['trigger.minutes', { trigger: { event: 'agent_unresponsive', minutes: 60 * 24 * 61 } }, /must be at most 86400 \(60 days\)/],
    ['trigger.status', { trigger: { event: 'in_status', minutes: 10 } }, /is required for in_status/],
    ['trigger.status', { trigger: { event: 'in_status', minutes: 10, status: 'waiting' } }, /must be one of new, open, pending, resolved, spam/],
    ['trigger.status', { trigger: { event: 'conversation_idle', minutes: 10, status: 'open' } }, /is not a field of a conversation_idle trigger/],
  ])('case %# -> %s', (field, input, problem) => {
    const found = problems(input);
    expect(found).toEqual([{ field, problem: expect.stringMatching(problem) }]);
  });

  test('a lower AUTOMATION_MIN_DURATION_SECONDS allows seconds', () => {
    expect(problems({ trigger: { event: 'in_status', status: 'pending', minutes: 10 / 60 } }, { minDurationSeconds: 1 })).toEqual([]);
    expect(problems({ trigger: { event: 'in_status', status: 'pending', minutes: 0.5 / 60 } }, { minDurationSeconds: 1 })).toEqual([
      { field: 'trigger.minutes', problem: expect.stringMatching(/at least .*1 s/) },
    ]);
  });

  test('tags and statuses come back normalised', () => {
    const { rule } = checkRuleDefinition({ ...base, trigger: { event: 'tag_added', tags: [' VIP ', 'vip', 'Big  Deal'] } }, opts);
    expect(rule.trigger).toEqual({ event: 'tag_added', tags: ['vip', 'big deal'] });
    expect(checkRuleDefinition({ ...base, trigger: { event: 'status_changed', to: 'resolved' } }, opts).rule.trigger).toEqual({ event: 'status_changed', to: ['resolved'] });
  });
});

describe('conditions', () => {
  const cond = (c: unknown) => problems({ conditions: { all: [c] } });

  test('the catalog names unknown attributes, misfit operators and bad values', () => {
    expect(cond({ attribute: 'contact.vipp', operator: 'equals', value: true })).toEqual([{ field: 'conditions.all.0.attribute', problem: expect.stringMatching(/unknown attribute "contact.vipp"; did you mean "contact.vip"\?/) }]);
    expect(cond({ attribute: 'conversation.channel', operator: 'greater_than', value: 'api' })).toEqual([{ field: 'conditions.all.0.operator', problem: expect.stringMatching(/"greater_than" does not fit conversation.channel/) }]);
    expect(cond({ attribute: 'contact.attributes.plan', operator: 'equals', value: 'platinum' })).toEqual([{ field: 'conditions.all.0.value', problem: expect.stringMatching(/must be one of free, gold/) }]);
    expect(cond({ attribute: 'conversation.priority', operator: 'equals', value: 9 })).toEqual([{ field: 'conditions.all.0.value', problem: 'must be from 0 to 4' }]);
    expect(cond({ attribute: 'message.content', operator: 'matches', value: 'x' })).toEqual([{ field: 'conditions.all.0.operator', problem: expect.stringMatching(/unknown operator "matches"/) }]);
  });

  test('groups nest at most 6 levels deep (3 levels are fine)', () => {
    const nest = (levels: number): unknown => (levels === 1 ? { all: [{ attribute: 'contact.vip', operator: 'equals', value: true }] } : { any: [nest(levels - 1)] });
    expect(problems({ conditions: nest(3) })).toEqual([]);
    expect(problems({ conditions: nest(7) })).toEqual([{ field: expect.stringMatching(/^conditions(\.any\.0)+$/), problem: 'groups nest at most 6 levels deep' }]);
  });

  test('message.* needs a trigger that carries a message; event.tag a tag trigger', () => {
    const content = { all: [{ attribute: 'message.content', operator: 'contains', value: 'refund' }] };
    expect(problems({ conditions: content })).toEqual([]);
    expect(problems({ trigger: { event: 'conversation_idle', minutes: 5 }, conditions: content })).toEqual([
      { field: 'conditions.all.0.attribute', problem: expect.stringMatching(/never set on a conversation_idle trigger: only message_received and message_sent carry a message/) },
    ]);
    expect(problems({ trigger: { event: 'assigned' }, conditions: { any: [{ attribute: 'event.tag', operator: 'equals', value: 'x' }] } })).toEqual([
      { field: 'conditions.any.0.attribute', problem: expect.stringMatching(/only set on tag_added and tag_removed/) },
    ]);
  });

  test('"changed" only where the trigger changes that attribute', () => {
    const changed = { all: [{ attribute: 'conversation.status', operator: 'changed', from: 'pending', to: 'open' }] };
    expect(problems({ trigger: { event: 'status_changed' }, conditions: changed })).toEqual([]);
    expect(problems({ conditions: changed })).toEqual([
      { field: 'conditions.all.0.operator', problem: expect.stringMatching(/never holds on a message_received trigger: conversation.status is changed by status_changed events/) },
    ]);
  });

  test('hidden contact attributes: refused for non-administrators (a chosen value would reveal them), unless the conditions are not being written', () => {
    const secret = { all: [{ attribute: 'contact.attributes.secret', operator: 'equals', value: 'x' }] };
    expect(problems({ conditions: secret })).toEqual([{ field: 'conditions.all.0.attribute', problem: expect.stringMatching(/hidden contact attribute: only administrators/) }]);
    expect(problems({ conditions: secret }, { hiddenAttributeKeys: new Set() })).toEqual([]);
    expect(problems({ conditions: secret }, { checkHiddenAttributes: false })).toEqual([]);
  });
});

describe('actions', () => {
  const action = (a: unknown) => problems({ actions: [a] });

  test.each([
    ['actions.0.type', { type: 'add_tags', tag: 'x' }, /unknown action "add_tags" \(did you mean "add_tag"\?\)/],
    ['actions.0.type', { tag: 'x' }, /is required/],
    ['actions.0', 'add_tag', /must be an action object/],
    ['actions.0.userId', { type: 'assign_agent' }, /is required/],
    ['actions.0.teamId', { type: 'assign_team', teamId: 'billing' }, /must be a UUID/],
    ['actions.0.userId', { type: 'assign_team', teamId: '7f7f1b6e-6f7e-4e4e-9a9a-1b1b1b1b1b1b', userId: '7f7f1b6e-6f7e-4e4e-9a9a-1b1b1b1b1b1b' }, /is not a field of a assign_team action \(it takes teamId\)/],
    ['actions.0.tag', { type: 'add_tag' }, /is required/],
    ['actions.0.tag', { type: 'add_tag', tag: 'x'.repeat(51) }, /at most 50 characters/],
    ['actions.0.priority', { type: 'set_priority', priority: 5 }, /from 0 to 4/],
    ['actions.0.priority', { type: 'set_priority', priority: 1.5 }, /whole number/],
    ['actions.0.status', { type: 'set_status', status: 'new' }, /must be one of pending, resolved, open/],
    ['actions.0.status', { type: 'set_status', status: 'spam' }, /use the mark_spam action/],
    ['actions.0.content', { type: 'send_message' }, /is required/],
    ['actions.0.content', { type: 'add_note', content: '   ' }, /must not be empty/],
    ['actions.0.content', { type: 'send_message', content: 'x'.repeat(10_001) }, /at most 10000 characters/],
    ['actions.0.reason', { type: 'mark_spam', reason: 'x' }, /it takes none besides type/],
  ])('case %# -> %s', (field, input, problem) => {
    expect(action(input)).toEqual([{ field, problem: expect.stringMatching(problem) }]);
  });

  test('at least one, at most MAX_ACTIONS', () => {
    expect(problems({ actions: [] })).toEqual([{ field: 'actions', problem: 'must list at least one action' }]);
    expect(problems({ actions: Array.from({ length: MAX_ACTIONS + 1 }, () => ({ type: 'unassign' })) })).toEqual([{ field: 'actions', problem: `at most ${MAX_ACTIONS} actions in one rule` }]);
    expect(problems({ actions: {} })).toEqual([{ field: 'actions', problem: expect.stringMatching(/must be a list of actions/) }]);
  });

  test('tags normalised like conversation tags; ids lower-cased', () => {
    const { rule, problems: p } = checkRuleDefinition(
      { ...base, actions: [{ type: 'add_tag', tag: '  Refund   VIP ' }, { type: 'assign_team', teamId: '7F7F1B6E-6F7E-4E4E-9A9A-1B1B1B1B1B1B' }] },
      opts,
    );
    expect(p).toEqual([]);
    expect(rule.actions).toEqual([{ type: 'add_tag', tag: 'refund vip' }, { type: 'assign_team', teamId: '7f7f1b6e-6f7e-4e4e-9a9a-1b1b1b1b1b1b' }]);
  });

  test('every problem of a rule at once', () => {
    const found = problems({ trigger: { event: 'nope' }, conditions: { all: [{ attribute: 'x.y', operator: 'equals', value: 1 }] }, actions: [{ type: 'set_priority', priority: 7 }, { type: 'what' }] });
    expect(found.map((p) => p.field)).toEqual(['trigger.event', 'conditions.all.0.attribute', 'actions.0.priority', 'actions.1.type']);
  });
});
