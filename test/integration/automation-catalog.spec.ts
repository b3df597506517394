/**
 * GET /api/v1/automation-rules/catalog on the real stack: the attribute catalog rule builders offer
 * (types, fitting operators, enum values), the account's custom contact attributes (another account's
 * never), triggers and actions; an attribute and operator it lists is accepted by the rules API.
 */
import { http, signUp, startTestStack, type TestStack } from '../support/test-stack';

interface Catalog {
  attributes: { path: string; kind: string; operators: string[]; values?: string[]; min?: number; max?: number }[];
  operators: string[];
  eventTriggers: string[];
  timeTriggers: string[];
  actionTypes: string[];
  maxGroupDepth: number;
  minTriggerMinutes: number;
}

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ env: { AUTOMATION_MIN_DURATION_SECONDS: '6' }, worker: false });
}, 120_000);
afterAll(async () => stack?.close());

it('lists attributes with their types and operators, the own custom attributes, triggers and actions', async () => {
  const a = await signUp(stack, 'Catalog A');
  const b = await signUp(stack, 'Catalog B');
  expect((await http(stack, 'POST', '/api/v1/contact-attributes', { key: 'tier', label: 'Tier', type: 'dropdown', options: ['gold', 'silver'] }, a.token)).status).toBe(201);
  expect((await http(stack, 'POST', '/api/v1/contact-attributes', { key: 'b_only', label: 'B', type: 'text' }, b.token)).status).toBe(201);

  const res = await http<Catalog>(stack, 'GET', '/api/v1/automation-rules/catalog', undefined, a.token);
  expect(res.status).toBe(200);
  const byPath = new Map(res.body.attributes.map((x) => [x.path, x]));
  expect(byPath.get('conversation.status')).toMatchObject({ kind: 'enum', values: expect.arrayContaining(['open', 'pending', 'resolved']) });
  expect(byPath.get('conversation.status')!.operators).toContain('changed');
  expect(byPath.get('contact.vip')).toMatchObject({ kind: 'boolean', operators: ['equals', 'not_equals', 'is_present', 'is_absent', 'changed'] });
  expect(byPath.get('conversation.priority')).toMatchObject({ kind: 'number', min: 0, max: 4 });
  expect(byPath.get('time.weekday')).toMatchObject({ kind: 'weekday', values: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] });
  expect(byPath.get('message.content')!.operators).not.toContain('greater_than');
  expect(byPath.get('message.content')!.operators).not.toContain('changed');
  expect(byPath.get('contact.attributes.tier')).toMatchObject({ kind: 'enum', values: ['gold', 'silver'] });
  expect(byPath.has('contact.attributes.b_only')).toBe(false);
  expect(res.body.eventTriggers).toContain('message_received');
  expect(res.body.timeTriggers).toContain('conversation_idle');
  expect(res.body.actionTypes).toEqual(expect.arrayContaining(['assign_agent', 'send_saved_reply', 'mark_spam']));
  expect(res.body.maxGroupDepth).toBeGreaterThanOrEqual(3);
  expect(res.body.minTriggerMinutes).toBeCloseTo(0.1);

  // What the catalog lists, the rules API takes.
  const created = await http(stack, 'POST', '/api/v1/automation-rules', {
    name: 'tier',
    trigger: { event: 'message_received' },
    conditions: { all: [{ attribute: 'contact.attributes.tier', operator: 'in', value: ['gold'] }] },
    actions: [{ type: 'add_tag', tag: 'gold' }],
  }, a.token);
  expect(created.status).toBe(201);

  expect((await http(stack, 'GET', '/api/v1/automation-rules/catalog')).status).toBe(401);
});
