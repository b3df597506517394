/**
 * Variables end to end: the list with defaults, validation where texts are saved (inbox welcome,
 * out-of-office and CSAT texts, account defaults), and the welcome message rendered by the worker.
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { eventually, http, signUp, startTestStack, type TestStack } from '../support/test-stack';

interface ErrorBody {
  message: string;
  details?: { field: string; problem: string }[];
}
interface VariableView {
  name: string;
  source: string;
  label: string;
  default: string | null;
}

let stack: TestStack;
let token: string;
let accountId: string;

beforeAll(async () => {
  stack = await startTestStack();
  ({ token, accountId } = await signUp(stack, 'Variables Ltd'));
});

afterAll(async () => {
  await stack?.close();
});

const call = <T = unknown>(method: string, path: string, body?: unknown) => http<T>(stack, method, path, body, token);

async function addAttributeDefinition(key: string, label: string) {
  await stack.api
    .get(EntityManager)
    .fork()
    .getConnection()
    .execute(`insert into contact_attribute_definitions (id, account_id, key, label, type) values (gen_random_uuid(), ?, ?, ?, 'text')`, [accountId, key, label]);
}

test('GET /variables lists account and contact variables, custom attributes and the defaults', async () => {
  await addAttributeDefinition('loyalty_tier', 'Loyalty tier');
  const set = await call('PATCH', '/api/v1/account', { settings: { variableDefaults: { 'contact.first_name': 'there', 'contact.loyalty_tier': 'standard' } } });
  expect(set.status).toBe(200);
  const res = await call<VariableView[]>('GET', '/api/v1/variables');
  expect(res.status).toBe(200);
  expect(res.body.map((v) => v.name)).toEqual([
    'account.company_name',
    'account.address',
    'account.email',
    'account.phone',
    'contact.name',
    'contact.first_name',
    'contact.last_name',
    'contact.email',
    'contact.phone',
    'contact.loyalty_tier',
  ]);
  expect(res.body.find((v) => v.name === 'contact.first_name')).toEqual({ name: 'contact.first_name', source: 'contact', label: 'Contact first name', default: 'there' });
  expect(res.body.find((v) => v.name === 'contact.loyalty_tier')).toEqual({ name: 'contact.loyalty_tier', source: 'contact', label: 'Loyalty tier', default: 'standard' });
  expect(res.body.find((v) => v.name === 'account.email')?.default).toBeNull();
});

test('account defaults must name known variables and be strings', async () => {
  const unknown = await call<ErrorBody>('PATCH', '/api/v1/account', { settings: { variableDefaults: { 'contact.shoe_size': '42' } } });
  expect(unknown.status).toBe(400);
  expect(unknown.body.message).toContain('{{contact.shoe_size}}');
  expect(unknown.body.details).toEqual([{ field: 'settings.variableDefaults.contact.shoe_size', problem: expect.stringContaining('unknown variable {{contact.shoe_size}}') }]);

  const notString = await call<ErrorBody>('PATCH', '/api/v1/account', { settings: { variableDefaults: { 'contact.first_name': 5 } } });
  expect(notString.status).toBe(400);
  expect(notString.body.details).toEqual([{ field: 'settings.variableDefaults.contact.first_name', problem: 'must be a string' }]);

  // nothing was stored by the rejected requests
  const account = await call<{ settings: { variableDefaults: Record<string, string> } }>('GET', '/api/v1/account');
  expect(account.body.settings.variableDefaults).toEqual({ 'contact.first_name': 'there', 'contact.loyalty_tier': 'standard' });
});

describe('inbox texts are checked when saved', () => {
  test('create: an unknown variable in the welcome message is named', async () => {
    const res = await call<ErrorBody>('POST', '/api/v1/inboxes', { name: 'Bad welcome', channelType: 'api', welcomeMessage: 'Hi {{ contact.nickname }}!' });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('welcomeMessage');
    expect(res.body.message).toContain('{{contact.nickname}}');
    expect(res.body.details?.[0].field).toBe('welcomeMessage');
    const list = await call<{ name: string }[]>('GET', '/api/v1/inboxes');
    expect(list.body.map((i) => i.name)).not.toContain('Bad welcome');
  });

  test('create: out-of-office and CSAT texts too; known variables (also custom ones) pass', async () => {
    const ooo = await call<ErrorBody>('POST', '/api/v1/inboxes', {
      name: 'Bad OOO',
      channelType: 'api',
      settings: { businessHours: { outOfOfficeMessage: 'Closed, {{account.opening_hours}}' } },
    });
    expect(ooo.status).toBe(400);
    expect(ooo.body.details?.[0]).toEqual({ field: 'settings.businessHours.outOfOfficeMessage', problem: expect.stringContaining('{{account.opening_hours}}') });

    const ok = await call<{ id: string; welcomeMessage: string }>('POST', '/api/v1/inboxes', {
      name: 'Good texts',
      channelType: 'api',
      welcomeMessage: 'Hi {{contact.first_name}} ({{contact.loyalty_tier}})',
      settings: { businessHours: { outOfOfficeMessage: 'Call {{account.phone}}' }, csat: { question: 'Rate {{account.company_name}}, {{contact.name}}' } },
    });
    expect(ok.status).toBe(201);
    expect(ok.body.welcomeMessage).toBe('Hi {{contact.first_name}} ({{contact.loyalty_tier}})');
  });

  test('update: welcome, out-of-office and CSAT texts name the unknown variable; nothing changes', async () => {
    const inbox = await call<{ id: string }>('POST', '/api/v1/inboxes', { name: 'To update', channelType: 'api', welcomeMessage: 'Hello' });
    const id = inbox.body.id;
    const welcome = await call<ErrorBody>('PATCH', `/api/v1/inboxes/${id}`, { welcomeMessage: 'Hi {{contact.middle_name}}' });
    expect(welcome.status).toBe(400);
    expect(welcome.body.details?.[0]).toEqual({ field: 'welcomeMessage', problem: expect.stringContaining('{{contact.middle_name}}') });

    const csat = await call<ErrorBody>('PATCH', `/api/v1/inboxes/${id}`, { name: 'Renamed', settings: { csat: { question: 'How was {{agent.name}}?' } } });
    expect(csat.status).toBe(400);
    expect(csat.body.details?.[0]).toEqual({ field: 'settings.csat.question', problem: expect.stringContaining('{{agent.name}}') });

    const ooo = await call<ErrorBody>('PATCH', `/api/v1/inboxes/${id}`, { settings: { businessHours: { outOfOfficeMessage: '{{nope}}' } } });
    expect(ooo.status).toBe(400);
    expect(ooo.body.message).toContain('{{nope}}');

    const after = await call<{ name: string; welcomeMessage: string }>('GET', `/api/v1/inboxes/${id}`);
    expect(after.body).toMatchObject({ name: 'To update', welcomeMessage: 'Hello' });

    const ok = await call('PATCH', `/api/v1/inboxes/${id}`, { welcomeMessage: 'Hi {{contact.first_name}}' });
    expect(ok.status).toBe(200);
  });
});

test('the welcome message is rendered for the contact, with defaults for missing values', async () => {
  expect((await call('PATCH', '/api/v1/account', { companyName: 'Acme GmbH' })).status).toBe(200);
  const inbox = await call<{ id: string }>('POST', '/api/v1/inboxes', {
    name: 'Rendered welcome',
    channelType: 'api',
    welcomeMessage: 'Hi {{contact.first_name}}, welcome to {{account.company_name}}',
  });
  expect(inbox.status).toBe(201);

  const welcomeOf = async (contact: { sourceId: string; name?: string }) => {
    const res = await call<{ conversationId: string }>('POST', `/api/v1/inboxes/${inbox.body.id}/inbound-messages`, { contact, content: 'Hello' });
    expect(res.status).toBe(201);
    return eventually(async () => {
      const c = await call<{ messages: { direction: string; content: string }[] }>('GET', `/api/v1/conversations/${res.body.conversationId}`);
      const outbound = c.body.messages.filter((m) => m.direction === 'outbound');
      return outbound.length ? outbound.map((m) => m.content) : undefined;
    }, 20_000, 'the welcome message');
  };

  expect(await welcomeOf({ sourceId: 'jane', name: 'Jane Doe' })).toEqual(['Hi Jane, welcome to Acme GmbH']);
  // no name: the account default for contact.first_name
  expect(await welcomeOf({ sourceId: 'anonymous' })).toEqual(['Hi there, welcome to Acme GmbH']);
});
