/** Inboxes, their settings, memberships and roles, and account settings, through HTTP. */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { http, signUp, startTestStack, type TestStack } from '../support/test-stack';

let stack: TestStack;
let admin: { token: string; accountId: string; userId: string };
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  stack = await startTestStack({ worker: false });
  admin = await signUp(stack, 'Inbox tests');
});
afterAll(async () => stack?.close());

async function user() {
  const email = `i-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@example.com`;
  const created = await http<{ id: string }>(stack, 'POST', '/api/v1/users', { name: 'Agent', email, password: PASSWORD }, admin.token);
  const login = await http<{ token: string }>(stack, 'POST', '/api/v1/auth/login', { email, password: PASSWORD });
  return { id: created.body.id, token: login.body.token };
}

interface InboxView {
  id: string;
  myRole: string | null;
  settings: {
    assignmentMode: string;
    autoUnassign: { enabled: boolean; graceSeconds: number };
    businessHours: { enabled: boolean; timezone: string; intervals: Record<string, unknown>; outOfOfficeMessage: string | null };
    csat: { enabled: boolean; question: string; delaySeconds: number };
    routing: { distribution: string; capacityPerAgent: number; rules: unknown[] };
  };
}

test('an inbox starts with the documented defaults and keeps settings it is given', async () => {
  const res = await http<InboxView>(stack, 'POST', '/api/v1/inboxes', {
    name: 'Sales',
    channelType: 'api',
    settings: {
      assignmentMode: 'open',
      businessHours: {
        enabled: true,
        timezone: 'Europe/Berlin',
        intervals: { mon: [{ start: '09:00', end: '12:00' }, { start: '13:00', end: '17:00' }], fri: [{ start: '22:00', end: '02:00' }] },
        outOfOfficeMessage: 'We are closed.',
      },
      routing: {
        distribution: 'round_robin',
        capacityPerAgent: 5,
        rules: [{ name: 'VIP', match: 'all', conditions: [{ attribute: 'contact.vip', operator: 'equals', value: true }], target: { type: 'ai_agent' } }],
      },
    },
  }, admin.token);
  expect(res.status).toBe(201);
  expect(res.body.settings.assignmentMode).toBe('open');
  expect(res.body.settings.autoUnassign).toEqual({ enabled: true, graceSeconds: 120 });
  expect(res.body.settings.csat).toMatchObject({ enabled: false, delaySeconds: 0 });
  expect(res.body.settings.businessHours.intervals).toEqual({
    mon: [{ start: '09:00', end: '12:00' }, { start: '13:00', end: '17:00' }],
    fri: [{ start: '22:00', end: '02:00' }],
  });
  expect(res.body.settings.routing).toMatchObject({ distribution: 'round_robin', capacityPerAgent: 5 });

  const patched = await http<InboxView>(stack, 'PATCH', `/api/v1/inboxes/${res.body.id}`, { settings: { autoUnassign: { graceSeconds: 300 } } }, admin.token);
  expect(patched.status).toBe(200);
  expect(patched.body.settings.autoUnassign).toEqual({ enabled: true, graceSeconds: 300 });
  expect(patched.body.settings.assignmentMode).toBe('open');
});

test.each([
  [{ autoUnassign: { graceSeconds: 10 } }, 'settings.autoUnassign.graceSeconds'],
  [{ assignmentMode: 'chaos' }, 'settings.assignmentMode'],
  [{ businessHours: { timezone: 'Mars/Olympus' } }, 'settings.businessHours.timezone'],
  [{ businessHours: { intervals: { funday: [] } } }, 'settings.businessHours.intervals.funday'],
  [{ businessHours: { intervals: { mon: [{ start: '9am', end: '17:00' }] } } }, 'settings.businessHours.intervals.mon[0].start'],
  [{ businessHours: { exceptions: { 'next tuesday': [] } } }, 'settings.businessHours.exceptions.next tuesday'],
  [{ routing: { capacityPerAgent: 0 } }, 'settings.routing.capacityPerAgent'],
  [{ routing: { rules: [{ name: 'x', match: 'all', conditions: [{ attribute: 'weather', operator: 'equals' }], target: { type: 'ai_agent' } }] } }, 'settings.routing.rules.0.conditions.0.attribute'],
  [
    { routing: { rules: [{ name: 'x', match: 'all', conditions: [{ attribute: 'contact.vip', operator: 'equals', value: true }, { any: [{ attribute: 'conversation.channel', operator: 'greater_than', value: 2 }] }], target: { type: 'ai_agent' } }] } },
    'settings.routing.rules.0.conditions.1.any.0.operator',
  ],
  [{ routing: { rules: [{ name: 'x', match: 'all', conditions: [{ attribute: 'contact.attributes.nope', operator: 'equals', value: 'x' }], target: { type: 'ai_agent' } }] } }, 'settings.routing.rules.0.conditions.0.attribute'],
  [{ routing: { rules: [{ name: 'x', match: 'any', conditions: [{ attribute: 'conversation.status', operator: 'in', value: ['new', 'closed'] }], target: { type: 'ai_agent' } }] } }, 'settings.routing.rules.0.conditions.0.value'],
  [{ routing: { rules: [{ name: 'x', match: 'any', conditions: [{ attribute: 'time.hour', operator: 'less_than', value: 9 }], target: { type: 'ai_agent' } }] } }, 'settings.routing.rules.0.conditions.0.attribute'],
  [{ routing: { rules: [{ name: 'x', match: 'any', conditions: [{ all: [{ attribute: 'contact.vip', operator: 'equals', value: true }], any: [] }], target: { type: 'ai_agent' } }] } }, 'settings.routing.rules.0.conditions.0'],
  [{ csat: { scale: 10 } }, 'settings.csat.scale'],
  [{ surprise: true }, 'settings.surprise'],
])('bad settings %j are refused naming %s, and nothing changes', async (settings, field) => {
  const created = await http<InboxView>(stack, 'POST', '/api/v1/inboxes', { name: 'Validated', channelType: 'api' }, admin.token);
  const res = await http<{ details: { field: string }[]; message: string }>(stack, 'PATCH', `/api/v1/inboxes/${created.body.id}`, { settings }, admin.token);
  expect(res.status).toBe(400);
  expect(res.body.details.map((d) => d.field)).toContain(field);
  const after = await http<InboxView>(stack, 'GET', `/api/v1/inboxes/${created.body.id}`, undefined, admin.token);
  expect(after.body.settings).toEqual(created.body.settings);
});

test("routing conditions are checked against the account's contact attributes: every problem named, nothing stored", async () => {
  const key = `tier_${Date.now()}`;
  const attribute = await http(stack, 'POST', '/api/v1/contact-attributes', { key, label: 'Tier', type: 'dropdown', options: ['Bronze', 'Gold'] }, admin.token);
  expect(attribute.status).toBe(201);
  const created = await http<InboxView>(stack, 'POST', '/api/v1/inboxes', { name: 'Tiered', channelType: 'api' }, admin.token);
  const rule = (conditions: unknown[]) => ({ settings: { routing: { rules: [{ name: 'Tiers', match: 'any', conditions, target: { type: 'ai_agent' } }] } } });
  const bad = await http<{ details: { field: string; problem: string }[] }>(stack, 'PATCH', `/api/v1/inboxes/${created.body.id}`, rule([
    { attribute: `contact.attributes.${key}`, operator: 'equals', value: 'Platinum' },
    { all: [{ attribute: 'contact.vip', operator: 'equals', value: true }, { any: [{ attribute: 'conversation.priorty', operator: 'greater_than', value: 2 }] }] },
  ]), admin.token);
  expect(bad.status).toBe(400);
  expect(bad.body.details).toEqual([
    { field: 'settings.routing.rules.0.conditions.0.value', problem: 'must be one of Bronze, Gold' },
    { field: 'settings.routing.rules.0.conditions.1.all.1.any.0.attribute', problem: 'unknown attribute "conversation.priorty"; did you mean "conversation.priority"?' },
  ]);
  expect((await http<InboxView>(stack, 'GET', `/api/v1/inboxes/${created.body.id}`, undefined, admin.token)).body.settings).toEqual(created.body.settings);

  const good = rule([{ attribute: `contact.attributes.${key}`, operator: 'in', value: ['gold'] }, { all: [{ attribute: 'contact.vip', operator: 'equals', value: true }, { attribute: 'conversation.priority', operator: 'greater_than', value: 2 }] }]);
  const ok = await http<InboxView>(stack, 'PATCH', `/api/v1/inboxes/${created.body.id}`, good, admin.token);
  expect(ok.status).toBe(200);
  expect((ok.body.settings.routing.rules[0] as { conditions: unknown }).conditions).toEqual(good.settings.routing.rules[0].conditions);
});

test('platform contact attributes are known to routing conditions once a contact of the account holds them (and only then)', async () => {
  const key = `browser_${Date.now()}`;
  const created = await http<InboxView>(stack, 'POST', '/api/v1/inboxes', { name: 'Platform', channelType: 'api' }, admin.token);
  const rule = { settings: { routing: { rules: [{ name: 'Firefox', match: 'all', conditions: [{ attribute: `contact.attributes.${key}`, operator: 'starts_with', value: 'Fire' }], target: { type: 'ai_agent' } }] } } };
  const before = await http<{ details: { field: string; problem: string }[] }>(stack, 'PATCH', `/api/v1/inboxes/${created.body.id}`, rule, admin.token);
  expect(before.status).toBe(400);
  expect(before.body.details.map((d) => d.field)).toEqual(['settings.routing.rules.0.conditions.0.attribute']);
  // (the account's custom attributes, if any, are listed in parentheses)
  expect(before.body.details[0].problem).toMatch(new RegExp(`^unknown contact attribute "${key}": no custom attribute of your account( \\(.*\\))? or platform attribute has this key$`));
  // Another account's contact holding the key does not make it known here.
  const other = await signUp(stack, 'Other platform account');
  const db = new Client({ connectionString: stack.config.database.url });
  await db.connect();
  try {
    const insert = `insert into contacts (id, account_id, platform_attributes) values ($1, $2, $3)`;
    await db.query(insert, [randomUUID(), other.accountId, JSON.stringify({ [key]: 'Firefox' })]);
    expect((await http(stack, 'PATCH', `/api/v1/inboxes/${created.body.id}`, rule, admin.token)).status).toBe(400);
    await db.query(insert, [randomUUID(), admin.accountId, JSON.stringify({ [key]: 'Firefox' })]);
  } finally {
    await db.end();
  }
  expect((await http(stack, 'PATCH', `/api/v1/inboxes/${created.body.id}`, rule, admin.token)).status).toBe(200);
});

test('users see only inboxes they belong to, with their role; managers assign roles in their inboxes', async () => {
  const a = await http<InboxView>(stack, 'POST', '/api/v1/inboxes', { name: 'A', channelType: 'api' }, admin.token);
  const b = await http<InboxView>(stack, 'POST', '/api/v1/inboxes', { name: 'B', channelType: 'api' }, admin.token);
  const manager = await user();
  const agent = await user();
  expect((await http(stack, 'PUT', `/api/v1/inboxes/${a.body.id}/members/${manager.id}`, { role: 'manager' }, admin.token)).status).toBe(200);

  // the manager adds the agent to their inbox, but cannot touch inbox B
  expect((await http(stack, 'PUT', `/api/v1/inboxes/${a.body.id}/members/${agent.id}`, { role: 'member' }, manager.token)).status).toBe(200);
  const foreign = await http<{ message: string }>(stack, 'PUT', `/api/v1/inboxes/${b.body.id}/members/${agent.id}`, { role: 'member' }, manager.token);
  expect(foreign.status).toBe(403);
  expect(foreign.body.message).toBe(`you are not a member of inbox ${b.body.id}`);

  const mine = await http<InboxView[]>(stack, 'GET', '/api/v1/inboxes', undefined, agent.token);
  expect(mine.body.map((i) => [i.id, i.myRole])).toEqual([[a.body.id, 'member']]);
  const promote = await http<{ message: string }>(stack, 'PUT', `/api/v1/inboxes/${a.body.id}/members/${agent.id}`, { role: 'manager' }, agent.token);
  expect(promote.status).toBe(403);
  expect(promote.body.message).toBe(`assigning roles needs the manager role in inbox ${a.body.id}`);

  const members = await http<{ userId: string; role: string }[]>(stack, 'GET', `/api/v1/inboxes/${a.body.id}/members`, undefined, agent.token);
  expect(members.body.map((m) => [m.userId, m.role])).toEqual([[manager.id, 'manager'], [agent.id, 'member']]);

  // another account's inbox does not exist for them
  const stranger = await signUp(stack, 'Stranger');
  expect((await http(stack, 'GET', `/api/v1/inboxes/${a.body.id}`, undefined, stranger.token)).status).toBe(404);
  expect((await http(stack, 'PUT', `/api/v1/inboxes/${a.body.id}/members/${stranger.userId}`, { role: 'member' }, admin.token)).status).toBe(404);
});

test('account variables and settings: admins only, partial updates merge', async () => {
  const agent = await user();
  const denied = await http<{ message: string }>(stack, 'PATCH', '/api/v1/account', { companyName: 'Nope' }, agent.token);
  expect(denied.status).toBe(403);
  const res = await http<{ companyName: string; settings: Record<string, unknown> }>(stack, 'PATCH', '/api/v1/account', {
    companyName: 'Acme GmbH',
    phone: '+49 30 123456',
    settings: { allowMoveBetweenInboxes: true, optOut: { confirmationText: 'Bye!' } },
  }, admin.token);
  expect(res.status).toBe(200);
  expect(res.body.companyName).toBe('Acme GmbH');
  expect(res.body.settings).toMatchObject({
    allowMoveBetweenInboxes: true,
    messageAssistantEnabled: false,
    optOut: { enabled: true, confirmationText: 'Bye!' },
  });
  const bad = await http<{ details: { field: string }[] }>(stack, 'PATCH', '/api/v1/account', { settings: { matchingAttribute: 'shoe_size' } }, admin.token);
  expect(bad.status).toBe(400);
  expect(bad.body.details[0].field).toBe('settings.matchingAttribute');
});

test('deleting an inbox removes its conversations and shared saved replies, and ends their workflows', async () => {
  const inbox = await http<{ id: string }>(stack, 'POST', '/api/v1/inboxes', { name: 'Doomed', channelType: 'api' }, admin.token);
  const reply = await http<{ id: string }>(stack, 'POST', '/api/v1/saved-replies', { scope: 'inbox', inboxId: inbox.body.id, shortcut: 'bye', content: 'Bye!' }, admin.token);
  expect(reply.status).toBe(201);
  const inbound = await http<{ conversationId: string }>(
    stack, 'POST', `/api/v1/inboxes/${inbox.body.id}/inbound-messages`, { contact: { sourceId: 'doomed-1' }, content: 'hi' }, admin.token,
  );
  expect(inbound.status).toBe(201);
  const em = stack.api.get((await import('@mikro-orm/postgresql')).EntityManager).fork();
  expect((await http(stack, 'DELETE', `/api/v1/inboxes/${inbox.body.id}`, undefined, admin.token)).status).toBe(204);
  const [left] = await em.getConnection().execute(
    `select (select count(*)::int from conversations where inbox_id = ?) as conversations,
            (select count(*)::int from saved_replies where scope_id = ?) as replies`,
    [inbox.body.id, inbox.body.id],
  );
  expect(left).toEqual({ conversations: 0, replies: 0 });
  const workflow = await stack.temporal.workflow.getHandle(`conversation:${inbound.body.conversationId}`).describe();
  expect(workflow.status.name).toBe('TERMINATED');
});
