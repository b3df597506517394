/**
 * Hidden contact attributes (`visible: false`: custom attributes meant for administrators) reach
 * administrators only, on every path that shows, renders or counts them — the real stack: PostgreSQL,
 * Temporal, the API and a worker (routing and the campaign run are the real workflows).
 *
 * One account: an administrator, a manager and an agent (member) of the API inbox "Support", whose
 * routing rule reads the hidden attribute `credit_score`. The contact's score is SCORE; none of the
 * manager's or the agent's answers may contain it, the administrator's do.
 *  - GET /variables lists `contact.credit_score` to the administrator only;
 *  - saved replies: a non-administrator cannot save one naming it (unknown variable, as the list
 *    says); one saved before it was hidden, or an administrator's inbox reply, renders for them with
 *    the account default instead of the value;
 *  - inbox texts (welcome message) by a manager naming it: 400;
 *  - the routing decision in the timeline: the rule evaluated the value (it matched), but the trace's
 *    `actual` and the summary show it to the administrator only;
 *  - campaigns: a manager's template naming it is 400; a manager's audience filtering on it is 400
 *    naming audience.attributes.credit_score (a count would be a guessing oracle), also the preview of
 *    an administrator's campaign filtering on it; a manager's template written while the attribute
 *    was visible sends the default once it is hidden, an administrator's template sends the value.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { eventually, http, signUp, startTestStack, type TestStack } from '../support/test-stack';

const SCORE = '742913';
const DEFAULT = 'n/a';

interface ErrorBody {
  message: string;
  details?: { field: string; problem: string }[];
}
interface TimelineItem {
  type: string;
  kind: string;
  summary: string;
  details?: { trace?: { rule: string; matched: boolean; explanation: string; conditions: { attribute: string; actual?: unknown; passed: boolean }[] }[] };
}
type User = { id: string; token: string };

let stack: TestStack;
let db: Client;
let admin: Awaited<ReturnType<typeof signUp>>;
let manager: User;
let agent: User;
let support: string;
let intake: string;
let scoreAttribute: string;
let contactId: string;
let sourceId: string;
let conversationId: string;

const as = <T = unknown>(who: { token: string }, method: string, path: string, body?: unknown) => http<T>(stack, method, path, body, who.token);
const setScoreVisible = async (visible: boolean) => expect((await as(admin, 'PATCH', `/api/v1/contact-attributes/${scoreAttribute}`, { visible })).status).toBe(200);

async function createUser(name: string): Promise<User> {
  const email = `hidden-${name.toLowerCase()}-${randomUUID().slice(0, 8)}@example.com`;
  const created = await as<{ id: string }>(admin, 'POST', '/api/v1/users', { name, email, password: 'correct horse battery' });
  expect(created.status).toBe(201);
  const login = await http<{ token: string }>(stack, 'POST', '/api/v1/auth/login', { email, password: 'correct horse battery' });
  expect(login.status).toBe(200);
  return { id: created.body.id, token: login.body.token };
}

beforeAll(async () => {
  stack = await startTestStack();
  db = new Client({ connectionString: stack.config.database.url });
  await db.connect();
  admin = await signUp(stack, 'Hidden Ltd');
  [manager, agent] = [await createUser('Manager'), await createUser('Agent')];
  const score = await as<{ id: string }>(admin, 'POST', '/api/v1/contact-attributes', { key: 'credit_score', label: 'Credit score', type: 'text', visible: false });
  const city = await as(admin, 'POST', '/api/v1/contact-attributes', { key: 'city', label: 'City', type: 'text' });
  expect([score.status, city.status]).toEqual([201, 201]);
  scoreAttribute = score.body.id;
  expect((await as(admin, 'PATCH', '/api/v1/account', { settings: { variableDefaults: { 'contact.credit_score': DEFAULT } } })).status).toBe(200);

  const team = await as<{ id: string }>(admin, 'POST', '/api/v1/teams', { name: 'Risk' });
  expect(team.status).toBe(201);
  const rule = {
    name: 'High score',
    match: 'all',
    conditions: [
      { attribute: 'contact.attributes.credit_score', operator: 'greater_than', value: 500000 },
      { attribute: 'contact.attributes.city', operator: 'equals', value: 'Berlin' },
    ],
    target: { type: 'team', id: team.body.id },
  };
  const created = await as<{ id: string }>(admin, 'POST', '/api/v1/inboxes', { name: 'Support', channelType: 'api', settings: { routing: { rules: [rule] } } });
  const other = await as<{ id: string }>(admin, 'POST', '/api/v1/inboxes', { name: 'Intake', channelType: 'api' });
  expect([created.status, other.status]).toEqual([201, 201]);
  [support, intake] = [created.body.id, other.body.id];
  expect((await as(admin, 'PUT', `/api/v1/inboxes/${support}/members/${manager.id}`, { role: 'manager' })).status).toBe(200);
  expect((await as(admin, 'PUT', `/api/v1/inboxes/${support}/members/${agent.id}`, { role: 'member' })).status).toBe(200);

  // The contact first writes to Intake (no rules); the administrator records the score; then it writes to Support.
  sourceId = `hidden-${randomUUID()}`;
  const first = await as<{ contactId: string }>(admin, 'POST', `/api/v1/inboxes/${intake}/inbound-messages`, { contact: { sourceId, name: 'Hanna Hidden' }, content: 'hi' });
  expect(first.status).toBe(201);
  contactId = first.body.contactId;
  expect((await as(admin, 'PATCH', `/api/v1/contacts/${contactId}`, { attributes: { credit_score: SCORE, city: 'Berlin' } })).status).toBe(200);
  const second = await as<{ conversationId: string }>(admin, 'POST', `/api/v1/inboxes/${support}/inbound-messages`, { contact: { sourceId }, content: 'Can I raise my limit?' });
  expect(second.status).toBe(201);
  conversationId = second.body.conversationId;
}, 120_000);

afterAll(async () => {
  await db?.end();
  await stack?.close();
});

describe('GET /variables', () => {
  test('lists a hidden attribute to administrators only', async () => {
    const names = async (who: { token: string }) => {
      const res = await as<{ name: string }[]>(who, 'GET', '/api/v1/variables');
      expect(res.status).toBe(200);
      return res.body.map((v) => v.name);
    };
    expect(await names(admin)).toEqual(expect.arrayContaining(['contact.credit_score', 'contact.city']));
    for (const who of [manager, agent]) {
      const seen = await names(who);
      expect(seen).toContain('contact.city');
      expect(seen).not.toContain('contact.credit_score');
    }
  });
});

describe('saved replies', () => {
  const render = (who: { token: string }, id: string) => as<{ text: string }>(who, 'POST', `/api/v1/saved-replies/${id}/render`, { conversationId });

  test('a non-administrator cannot save a reply naming a hidden attribute', async () => {
    for (const who of [agent, manager]) {
      const res = await as<ErrorBody>(who, 'POST', '/api/v1/saved-replies', { scope: 'personal', shortcut: `score${randomUUID().slice(0, 6)}`, content: 'Your score: {{contact.credit_score}}' });
      expect(res.status).toBe(400);
      expect(res.body.details).toEqual([{ field: 'content', problem: expect.stringContaining('unknown variable {{contact.credit_score}}') }]);
    }
  });

  test('a reply saved while the attribute was visible, and an administrator\'s inbox reply, render the default for non-administrators', async () => {
    await setScoreVisible(true);
    const personal = await as<{ id: string }>(agent, 'POST', '/api/v1/saved-replies', { scope: 'personal', shortcut: 'myscore', content: 'Score {{contact.credit_score}} in {{contact.city}}' });
    expect(personal.status).toBe(201);
    await setScoreVisible(false);
    const shared = await as<{ id: string }>(admin, 'POST', '/api/v1/saved-replies', { scope: 'inbox', inboxId: support, shortcut: 'score', content: 'Score {{contact.credit_score}} in {{contact.city}}' });
    expect(shared.status).toBe(201);

    const mine = await render(agent, personal.body.id);
    expect([mine.status, mine.body.text]).toEqual([200, `Score ${DEFAULT} in Berlin`]);
    for (const who of [agent, manager]) expect((await render(who, shared.body.id)).body.text).toBe(`Score ${DEFAULT} in Berlin`);
    expect((await render(admin, shared.body.id)).body.text).toBe(`Score ${SCORE} in Berlin`);
  });
});

describe('inbox texts', () => {
  test("a manager's welcome message naming a hidden attribute is 400; an administrator's is taken", async () => {
    const res = await as<ErrorBody>(manager, 'PATCH', `/api/v1/inboxes/${support}`, { welcomeMessage: 'Hi, your score is {{contact.credit_score}}' });
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ field: 'welcomeMessage', problem: expect.stringContaining('unknown variable {{contact.credit_score}}') }]);
    const inbox = await as<{ welcomeMessage: string | null }>(admin, 'GET', `/api/v1/inboxes/${support}`);
    expect(inbox.body.welcomeMessage).toBeNull();
    const byAdmin = await as(admin, 'PATCH', `/api/v1/inboxes/${intake}`, { welcomeMessage: 'Hi, your score is {{contact.credit_score}}' });
    expect(byAdmin.status).toBe(200);
  });
});

describe('routing decision in the timeline', () => {
  const routingDecision = async (who: { token: string }) => {
    const res = await as<{ items: TimelineItem[] }>(who, 'GET', `/api/v1/conversations/${conversationId}/timeline`);
    expect(res.status).toBe(200);
    return { all: res.body, routing: res.body.items.find((i) => i.type === 'decision' && i.kind === 'routing') };
  };

  test('the rule matched on the hidden value; its trace and summary show it to the administrator only', async () => {
    const seen = await eventually(async () => (await routingDecision(admin)).routing, 20_000, 'the routing decision');
    expect(seen.summary).toBe(
      `rule "High score" matched: contact.attributes.credit_score greater than 500000 (was "${SCORE}") and contact.attributes.city equals "Berlin" (was "Berlin") -> team "Risk"`,
    );
    expect(seen.details!.trace![0].conditions.map((c) => [c.attribute, c.actual, c.passed])).toEqual([
      ['contact.attributes.credit_score', SCORE, true],
      ['contact.attributes.city', 'Berlin', true],
    ]);

    for (const who of [manager, agent]) {
      const { all, routing } = await routingDecision(who);
      expect(routing!.summary).toBe(
        'rule "High score" matched: contact.attributes.credit_score greater than 500000 (was (hidden attribute)) and contact.attributes.city equals "Berlin" (was "Berlin") -> team "Risk"',
      );
      const [step] = routing!.details!.trace!;
      expect(step).toMatchObject({ rule: 'High score', matched: true });
      expect(step.conditions.map((c) => [c.attribute, c.actual, c.passed])).toEqual([
        ['contact.attributes.credit_score', '(hidden attribute)', true],
        ['contact.attributes.city', 'Berlin', true],
      ]);
      expect(step.explanation).not.toContain(SCORE);
      expect(JSON.stringify(all)).not.toContain(SCORE);
    }
  });
});

describe('campaigns', () => {
  const campaign = (who: { token: string }, body: Record<string, unknown>) =>
    as<{ id: string; audienceCount: number } & ErrorBody>(who, 'POST', '/api/v1/campaigns', { name: `C ${randomUUID().slice(0, 6)}`, type: 'notification', inboxId: support, template: 'Hello', audience: { contactIds: [contactId] }, ...body });

  test("a manager's template naming a hidden attribute is 400, when created and when edited", async () => {
    const template = await campaign(manager, { template: 'Your score is {{contact.credit_score}}' });
    expect([template.status, template.body.details]).toEqual([400, [{ field: 'template', problem: expect.stringContaining('unknown variable {{contact.credit_score}}') }]]);
    const draft = await campaign(manager, {});
    expect(draft.status).toBe(201);
    const edit = await as<ErrorBody>(manager, 'PATCH', `/api/v1/campaigns/${draft.body.id}`, { template: 'Your score is {{contact.credit_score}}' });
    expect([edit.status, edit.body.details?.[0]?.field]).toEqual([400, 'template']);
  });

  test("a manager's audience filtering on a hidden attribute is 400 (no count); the preview of an administrator's such audience too", async () => {
    // Guessing: does any contact have credit_score 742913?
    const guess = await campaign(manager, { audience: { attributes: { credit_score: SCORE } } });
    expect([guess.status, guess.body.details]).toEqual([
      400,
      [{ field: 'audience.attributes.credit_score', problem: 'is a hidden contact attribute: only administrators may filter or count an audience on it' }],
    ]);
    expect(JSON.stringify(guess.body)).not.toMatch(/audienceCount/);
    const draft = await campaign(manager, {});
    expect(draft.status).toBe(201);
    const edit = await as<ErrorBody>(manager, 'PATCH', `/api/v1/campaigns/${draft.body.id}`, { audience: { attributes: { credit_score: SCORE } } });
    expect([edit.status, edit.body.details?.[0]?.field]).toEqual([400, 'audience.attributes.credit_score']);

    const byAdmin = await campaign(admin, { audience: { attributes: { credit_score: SCORE } } });
    expect([byAdmin.status, byAdmin.body.audienceCount]).toEqual([201, 1]);
    const managerPreview = await as<ErrorBody>(manager, 'POST', `/api/v1/campaigns/${byAdmin.body.id}/audience-preview`);
    expect([managerPreview.status, managerPreview.body.details?.[0]?.field]).toEqual([400, 'audience.attributes.credit_score']);
    const adminPreview = await as<{ count: number }>(admin, 'POST', `/api/v1/campaigns/${byAdmin.body.id}/audience-preview`);
    expect([adminPreview.status, adminPreview.body.count]).toEqual([200, 1]);
    // A visible attribute filters as before.
    expect((await campaign(manager, { audience: { attributes: { city: 'Berlin' } } })).body.audienceCount).toBe(1);
  });

  test("a manager's template sends the default once the attribute is hidden; an administrator's template sends the value", async () => {
    const template = 'Score {{contact.credit_score}} ({{contact.city}})';
    await setScoreVisible(true);
    const byManager = await campaign(manager, { template });
    expect(byManager.status).toBe(201);
    await setScoreVisible(false);
    const byAdmin = await campaign(admin, { template });
    expect(byAdmin.status).toBe(201);

    const sent = async (id: string): Promise<string> => {
      expect((await as(manager, 'POST', `/api/v1/campaigns/${id}/start`)).status).toBeLessThan(300);
      return eventually(
        async () => {
          const { rows } = await db.query(
            `select m.content from campaign_recipients r join messages m on m.id = r.message_id where r.campaign_id = $1 and r.status in ('sent', 'delivered')`,
            [id],
          );
          return rows[0]?.content as string | undefined;
        },
        30_000,
        `campaign ${id} to send`,
      );
    };
    expect(await sent(byManager.body.id)).toBe(`Score ${DEFAULT} (Berlin)`);
    expect(await sent(byAdmin.body.id)).toBe(`Score ${SCORE} (Berlin)`);
  }, 60_000);
});
