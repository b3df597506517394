/**
 * CSAT over HTTP on the real PostgreSQL and Temporal: the survey after a resolution (the use case
 * the conversation workflow's activity runs, called directly here), surveys sent by hand, ratings
 * through the public link and by reply, the edit window and the report.
 *
 * The API runs without a worker: no conversation workflow runs, so nothing but these calls sends
 * a survey or assigns a conversation, and every figure below is exact.
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { parseRatingReply } from '../../src/modules/csat/csat-rating';
import { SendCsatSurveyUseCase, type SendCsatSurveyResult } from '../../src/modules/csat/use-cases/send-csat-survey.use-case';
import { http, signUp, startTestStack, type TestStack } from '../support/test-stack';
import type { PublicSurvey } from '../../src/modules/csat/csat-public';
import type { CsatReport } from '../../src/modules/csat/use-cases/get-csat-report.use-case';

interface User {
  id: string;
  token: string;
}
interface Account {
  admin: User;
  accountId: string;
}
interface ErrorBody {
  message: string;
  details?: { field: string; problem: string }[];
}
interface MessageView {
  id: string;
  direction: string;
  senderType: string;
  content: string;
}
interface ConversationView {
  id: string;
  status: string;
  assigneeId: string | null;
  resolvedAt: string | null;
  messages: MessageView[];
}
interface SurveyView {
  id: string;
  conversationId: string;
  inboxId: string;
  agentId: string | null;
  resolutionKey: string;
  question: string;
  url: string;
  messageId: string | null;
  sentAt: string | null;
  rating: number | null;
  comment: string | null;
  ratedAt: string | null;
}
interface SurveyRow {
  id: string;
  agent_id: string | null;
  resolution_key: string;
  token: string;
  question: string;
  message_id: string | null;
  sent_at: Date | null;
  rating: number | null;
  comment: string | null;
  rated_at: Date | null;
}

let stack: TestStack;
let main: Account;
let agent1: User;
let agent2: User;
let manager: User;

const DAY_MS = 86_400_000;

beforeAll(async () => {
  stack = await startTestStack({ worker: false });
  main = await newAccount('CSAT Ltd');
  agent1 = await newUser(main, 'Agnes Agent');
  agent2 = await newUser(main, 'Bert Agent');
  manager = await newUser(main, 'Mona Manager');
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

let n = 0;
const uniq = (prefix: string) => `${prefix}-${Date.now()}-${++n}`;

async function newAccount(name: string): Promise<Account> {
  const created = await signUp(stack, name);
  return { admin: { id: created.userId, token: created.token }, accountId: created.accountId };
}

async function newUser(account: Account, name: string): Promise<User> {
  const email = `${uniq('csat')}@example.com`;
  const created = await http<{ id: string }>(stack, 'POST', '/api/v1/users', { name, email, password: 'correct horse battery' }, account.admin.token);
  expect(created.status).toBe(201);
  const login = await http<{ token: string }>(stack, 'POST', '/api/v1/auth/login', { email, password: 'correct horse battery' });
  expect(login.status).toBe(200);
  return { id: created.body.id, token: login.body.token };
}

/** An API inbox (routing off) where agent1 and agent2 are team members and `manager` its manager. */
async function newInbox(
  account: Account,
  csat: { enabled: boolean; question?: string },
  roles: { members: User[]; managers: User[] } = { members: [agent1, agent2], managers: [manager] },
  name = uniq('inbox'),
): Promise<string> {
  const res = await http<{ id: string }>(
    stack,
    'POST',
    '/api/v1/inboxes',
    { name, channelType: 'api', settings: { csat: { delaySeconds: 3600, ...csat }, routing: { humanAgentsEnabled: false } } },
    account.admin.token,
  );
  expect(res.status).toBe(201);
  for (const [users, role] of [
    [roles.members, 'member'],
    [roles.managers, 'manager'],
  ] as const) {
    for (const u of users) {
      expect((await http(stack, 'PUT', `/api/v1/inboxes/${res.body.id}/members/${u.id}`, { role }, account.admin.token)).status).toBe(200);
    }
  }
  return res.body.id;
}

async function inbound(account: Account, inboxId: string, sourceId: string, content: string): Promise<{ conversationId: string; contactId: string }> {
  const res = await http<{ conversationId: string; contactId: string }>(
    stack,
    'POST',
    `/api/v1/inboxes/${inboxId}/inbound-messages`,
    { contact: { sourceId, name: 'Jane Doe' }, content },
    account.admin.token,
  );
  expect(res.status).toBe(201);
  return res.body;
}

async function getConversation(account: Account, id: string): Promise<ConversationView> {
  const res = await http<ConversationView>(stack, 'GET', `/api/v1/conversations/${id}`, undefined, account.admin.token);
  expect(res.status).toBe(200);
  return res.body;
}

/** A conversation from a new contact, held by `agent`, then resolved; returns its resolution key. */
async function resolvedConversation(account: Account, inboxId: string, agent: User | null, sourceId = uniq('contact')) {
  const { conversationId, contactId } = await inbound(account, inboxId, sourceId, 'my parcel is late');
  if (agent) {
    const assigned = await http(stack, 'PUT', `/api/v1/conversations/${conversationId}/assignee`, { assigneeId: agent.id }, account.admin.token);
    expect(assigned.status).toBe(200);
  }
  const resolutionKey = await resolve(account, conversationId);
  return { conversationId, contactId, sourceId, resolutionKey };
}

async function resolve(account: Account, conversationId: string): Promise<string> {
  const res = await http<ConversationView>(stack, 'POST', `/api/v1/conversations/${conversationId}/resolve`, undefined, account.admin.token);
  expect(res.status).toBe(200);
  expect(res.body.status).toBe('resolved');
  return res.body.resolvedAt!;
}

const sendSurvey = (conversationId: string, resolutionKey: string): Promise<SendCsatSurveyResult> =>
  stack.api.get(SendCsatSurveyUseCase).execute({ conversationId, resolutionKey });

const sql = <T>(query: string, params: unknown[] = []) => stack.api.get(EntityManager).fork().execute<T[]>(query, params);

/** The conversation's survey rows (timestamps as Dates). */
const surveysOf = async (conversationId: string): Promise<SurveyRow[]> =>
  (
    await sql<Omit<SurveyRow, 'sent_at' | 'rated_at'> & { sent_at: string | null; rated_at: string | null }>(
      `select id, agent_id, resolution_key, token, question, message_id::text as message_id, sent_at, rating, comment, rated_at
         from csat_surveys where conversation_id = ? order by created_at, id`,
      [conversationId],
    )
  ).map((r) => ({ ...r, sent_at: r.sent_at === null ? null : new Date(r.sent_at), rated_at: r.rated_at === null ? null : new Date(r.rated_at) }));

const decisionsOf = (conversationId: string, kind: string) =>
  sql<{ summary: string; details: Record<string, unknown>; actor_user_id: string | null }>(
    'select summary, details, actor_user_id from conversation_decisions where conversation_id = ? and kind = ? order by id',
    [conversationId, kind],
  );

const surveyMessages = async (account: Account, conversationId: string) =>
  (await getConversation(account, conversationId)).messages.filter((m) => m.direction === 'outbound' && m.senderType === 'system');

const linkOf = (token: string) => `${stack.config.publicUrl}/api/v1/csat/${token}`;
const pathOf = (token: string) => `/api/v1/csat/${token}`;

/** A resolved conversation with its survey sent; returns the survey's token. */
async function surveyed(account: Account, inboxId: string, agent: User | null = agent1) {
  const conv = await resolvedConversation(account, inboxId, agent);
  const result = await sendSurvey(conv.conversationId, conv.resolutionKey);
  expect(result.sent).toBe(true);
  const [row] = await surveysOf(conv.conversationId);
  return { ...conv, surveyId: row.id, token: row.token };
}

const rate = (token: string, body: unknown) => http<PublicSurvey & ErrorBody>(stack, 'POST', pathOf(token), body);

describe('the survey after a resolution', () => {
  test('is sent once per resolution: the question rendered for the contact, ending with the rating link, held by the agent at that time', async () => {
    const inboxId = await newInbox(main, { enabled: true, question: 'How did we do, {{contact.first_name}}?' });
    const { conversationId, resolutionKey } = await resolvedConversation(main, inboxId, agent1);

    const first = await sendSurvey(conversationId, resolutionKey);
    const [row] = await surveysOf(conversationId);
    expect(first).toEqual({ sent: true, surveyId: row.id, decision: expect.objectContaining({ kind: 'csat_sent', conversationId }) });
    expect(first.decision!.summary).toBe(`CSAT survey sent for the resolution at ${resolutionKey} (agent Agnes Agent ${agent1.id})`);
    expect(row.resolution_key).toBe(resolutionKey);
    expect(row.agent_id).toBe(agent1.id);
    expect(row.question).toBe('How did we do, Jane?');
    expect(row.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(row.sent_at).toBeInstanceOf(Date);

    const second = await sendSurvey(conversationId, resolutionKey);
    expect(second).toEqual({ sent: false, reason: 'already sent', surveyId: row.id });

    const messages = await surveyMessages(main, conversationId);
    expect(messages).toHaveLength(1);
    expect(messages[0].content).toBe(
      `How did we do, Jane?\n\nReply with a number from 1 (poor) to 5 (excellent), or rate us here: ${linkOf(row.token)}`,
    );
    expect(row.message_id).toBe(messages[0].id);
    expect(await surveysOf(conversationId)).toHaveLength(1);
    expect(await decisionsOf(conversationId, 'csat_sent')).toHaveLength(1);
    // sending a survey does not reopen the conversation
    expect((await getConversation(main, conversationId)).status).toBe('resolved');
  });

  test('concurrent calls for one resolution send one message', async () => {
    const inboxId = await newInbox(main, { enabled: true });
    const { conversationId, resolutionKey } = await resolvedConversation(main, inboxId, null);
    const results = await Promise.all([1, 2, 3].map(() => sendSurvey(conversationId, resolutionKey)));
    expect(results.filter((r) => r.sent)).toHaveLength(1);
    expect(results.filter((r) => !r.sent).map((r) => r.reason)).toEqual(['already sent', 'already sent']);
    const messages = await surveyMessages(main, conversationId);
    expect(messages).toHaveLength(1);
    // the default question already asks for a number: the link line says so briefly
    const [row] = await surveysOf(conversationId);
    expect(row.agent_id).toBeNull();
    expect(messages[0].content).toBe(`How would you rate our support? Reply with a number from 1 to 5.\n\nOr rate us here: ${linkOf(row.token)}`);
    expect((await decisionsOf(conversationId, 'csat_sent'))[0].summary).toBe(`CSAT survey sent for the resolution at ${resolutionKey} (no agent assigned)`);
  });

  test('is not sent when the conversation was reopened, resolved again since, or CSAT is off', async () => {
    const inboxId = await newInbox(main, { enabled: true });
    const { conversationId, resolutionKey: firstKey } = await resolvedConversation(main, inboxId, agent2);

    expect((await http(stack, 'POST', `/api/v1/conversations/${conversationId}/reopen`, undefined, main.admin.token)).status).toBe(200);
    expect(await sendSurvey(conversationId, firstKey)).toEqual({ sent: false, reason: 'the conversation is open now, no longer resolved' });

    const secondKey = await resolve(main, conversationId);
    expect(secondKey).not.toBe(firstKey);
    expect(await sendSurvey(conversationId, firstKey)).toEqual({
      sent: false,
      reason: `the conversation was resolved again at ${secondKey}; this survey was for the resolution at ${firstKey}`,
    });
    expect(await surveysOf(conversationId)).toEqual([]);
    expect(await surveyMessages(main, conversationId)).toEqual([]);

    // the current resolution gets its survey
    expect((await sendSurvey(conversationId, secondKey)).sent).toBe(true);
    expect((await surveysOf(conversationId)).map((s) => s.resolution_key)).toEqual([secondKey]);

    const offName = uniq('CSAT off');
    const off = await newInbox(main, { enabled: false }, undefined, offName);
    const closed = await resolvedConversation(main, off, agent1);
    expect(await sendSurvey(closed.conversationId, closed.resolutionKey)).toEqual({ sent: false, reason: `CSAT is turned off for inbox "${offName}"` });
    expect(await surveysOf(closed.conversationId)).toEqual([]);
    expect(await surveyMessages(main, closed.conversationId)).toEqual([]);

    const missing = '00000000-0000-4000-8000-000000000000';
    expect(await sendSurvey(missing, firstKey)).toEqual({ sent: false, reason: `conversation ${missing} no longer exists` });
  });
});

describe('rating through the public link', () => {
  test('shows the survey, stores and changes the rating and comment, with no token needed', async () => {
    const inboxId = await newInbox(main, { enabled: true, question: 'Rate us, {{contact.name}}' });
    const { conversationId, surveyId, token } = await surveyed(main, inboxId);

    const shown = await http<PublicSurvey>(stack, 'GET', pathOf(token));
    expect(shown.status).toBe(200);
    const [row] = await surveysOf(conversationId);
    const deadline = new Date(row.sent_at!.getTime() + 14 * DAY_MS).toISOString();
    expect(shown.body).toEqual({
      question: 'Rate us, Jane Doe',
      scale: 5,
      rating: null,
      comment: null,
      ratedAt: null,
      sentAt: row.sent_at!.toISOString(),
      canChange: true,
      changeableUntil: deadline,
    });

    const first = await rate(token, { rating: 5, comment: '  Great help  ' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ rating: 5, comment: 'Great help', canChange: true });
    expect(first.body.ratedAt).not.toBeNull();

    // a change without a comment keeps the comment
    const changed = await rate(token, { rating: 3 });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ rating: 3, comment: 'Great help' });
    expect((await http<PublicSurvey>(stack, 'GET', pathOf(token))).body).toMatchObject({ rating: 3, comment: 'Great help', canChange: true });

    // "" removes the comment
    expect((await rate(token, { rating: 4, comment: '' })).body).toMatchObject({ rating: 4, comment: null });

    const [stored] = await surveysOf(conversationId);
    expect(stored).toMatchObject({ id: surveyId, rating: 4, comment: null });
    const rated = await decisionsOf(conversationId, 'csat_rated');
    expect(rated.map((d) => d.summary)).toEqual([
      'The customer rated 5/5 via the survey link',
      'The customer changed the CSAT rating from 5 to 3/5 via the survey link',
      'The customer changed the CSAT rating from 3 to 4/5 via the survey link',
    ]);
    expect(rated[0].details).toMatchObject({ surveyId, rating: 5, previousRating: null, comment: 'Great help', via: 'link', agentId: agent1.id });
    // rating does not touch the conversation
    expect((await getConversation(main, conversationId)).status).toBe('resolved');
  });

  test('validates the rating and comment (400 naming the field) and answers 404 to unknown links', async () => {
    const inboxId = await newInbox(main, { enabled: true });
    const { token } = await surveyed(main, inboxId);

    for (const body of [{ rating: 0 }, { rating: 6 }, { rating: 4.5 }, { rating: '5' }, {}, { rating: null }]) {
      const res = await rate(token, body);
      expect([res.status, res.body.details?.[0]?.field]).toEqual([400, 'rating']);
    }
    const long = await rate(token, { rating: 5, comment: 'x'.repeat(2001) });
    expect([long.status, long.body.details?.[0]?.field]).toEqual([400, 'comment']);
    const extra = await rate(token, { rating: 5, stars: 5 });
    expect([extra.status, extra.body.details?.[0]?.field]).toEqual([400, 'stars']);
    expect((await rate(token, { rating: 5, comment: 'x'.repeat(2000) })).status).toBe(200);

    const unknown = `${token.slice(0, -4)}AAAA` === token ? `${token.slice(0, -4)}BBBB` : `${token.slice(0, -4)}AAAA`;
    for (const t of [unknown, 'abc', 'not a token!']) {
      const got = await http<ErrorBody>(stack, 'GET', pathOf(encodeURIComponent(t)));
      expect([got.status, got.body.message]).toEqual([404, 'this CSAT survey link was not found; check that it was copied completely']);
      expect((await rate(encodeURIComponent(t), { rating: 5 })).status).toBe(404);
    }
  });

  test(`refuses a first rating or a change more than CSAT_EDIT_WINDOW_DAYS (14) days after sending, with a 422 naming rating`, async () => {
    const inboxId = await newInbox(main, { enabled: true });
    const rated = await surveyed(main, inboxId);
    expect((await rate(rated.token, { rating: 5, comment: 'fine' })).status).toBe(200);
    const unrated = await surveyed(main, inboxId);

    await sql('update csat_surveys set sent_at = now() - interval \'15 days\' where id in (?)', [[rated.surveyId, unrated.surveyId]]);

    const change = await rate(rated.token, { rating: 1 });
    expect(change.status).toBe(422);
    expect(change.body.details).toEqual([{ field: 'rating', problem: expect.stringMatching(/^can no longer be changed: ratings are accepted for 14 days after/) }]);
    expect(change.body.message).toMatch(/^rating: can no longer be changed/);
    const first = await rate(unrated.token, { rating: 4 });
    expect(first.status).toBe(422);
    expect(first.body.details![0]).toEqual({ field: 'rating', problem: expect.stringMatching(/^can no longer be given:/) });

    expect((await http<PublicSurvey>(stack, 'GET', pathOf(rated.token))).body).toMatchObject({ rating: 5, comment: 'fine', canChange: false });
    expect((await surveysOf(rated.conversationId))[0]).toMatchObject({ rating: 5, comment: 'fine' });
    expect((await surveysOf(unrated.conversationId))[0]).toMatchObject({ rating: null });

    // a rating reply after the window is an ordinary message: it reopens the conversation
    await inbound(main, inboxId, rated.sourceId, '1 too late');
    expect((await getConversation(main, rated.conversationId)).status).toBe('new');
    expect((await surveysOf(rated.conversationId))[0]).toMatchObject({ rating: 5, comment: 'fine' });
    expect(await decisionsOf(rated.conversationId, 'csat_rated')).toHaveLength(1);
  });
});

describe('rating by reply', () => {
  test('parses a digit 1-5 at the start, optionally followed by a separator and a comment', () => {
    expect(parseRatingReply('5')).toEqual({ rating: 5, comment: null });
    expect(parseRatingReply('  4 thanks!  ')).toEqual({ rating: 4, comment: 'thanks!' });
    expect(parseRatingReply('3 - ok')).toEqual({ rating: 3, comment: 'ok' });
    expect(parseRatingReply('2: slow')).toEqual({ rating: 2, comment: 'slow' });
    expect(parseRatingReply('1, never again')).toEqual({ rating: 1, comment: 'never again' });
    expect(parseRatingReply('5!')).toEqual({ rating: 5, comment: null });
    for (const text of ['hello', '0', '6', '10', '4.5', '5/5', '4thanks', 'rating 5', '', ' ']) expect(parseRatingReply(text)).toBeNull();
  });

  test('a rating reply keeps the conversation resolved and stores rating and comment; anything else reopens it', async () => {
    const inboxId = await newInbox(main, { enabled: true });
    const { conversationId, sourceId, surveyId, token } = await surveyed(main, inboxId, agent2);

    await inbound(main, inboxId, sourceId, '4 great');
    let conversation = await getConversation(main, conversationId);
    expect(conversation.status).toBe('resolved');
    expect(conversation.messages.filter((m) => m.direction === 'inbound').map((m) => m.content)).toEqual(['my parcel is late', '4 great']);
    expect((await surveysOf(conversationId))[0]).toMatchObject({ id: surveyId, rating: 4, comment: 'great' });
    expect((await http<PublicSurvey>(stack, 'GET', pathOf(token))).body).toMatchObject({ rating: 4, comment: 'great' });
    const [decision] = await decisionsOf(conversationId, 'csat_rated');
    expect(decision.summary).toBe('The customer rated 4/5 via a reply');
    expect(decision.details).toMatchObject({ surveyId, rating: 4, comment: 'great', via: 'reply', agentId: agent2.id });

    // a second rating reply changes it (comment kept when none is given)
    await inbound(main, inboxId, sourceId, '5');
    expect((await getConversation(main, conversationId)).status).toBe('resolved');
    expect((await surveysOf(conversationId))[0]).toMatchObject({ rating: 5, comment: 'great' });

    await inbound(main, inboxId, sourceId, 'hello, one more question');
    conversation = await getConversation(main, conversationId);
    expect(conversation.status).toBe('new');
    expect((await surveysOf(conversationId))[0]).toMatchObject({ rating: 5, comment: 'great' });
    expect(await decisionsOf(conversationId, 'csat_rated')).toHaveLength(2);

    // while the conversation is open, a digit is just a message
    await inbound(main, inboxId, sourceId, '2');
    expect((await surveysOf(conversationId))[0]).toMatchObject({ rating: 5 });
  });

  test('without a survey, a digit reopens a resolved conversation', async () => {
    const inboxId = await newInbox(main, { enabled: true });
    const { conversationId, sourceId } = await resolvedConversation(main, inboxId, agent1);
    await inbound(main, inboxId, sourceId, '5');
    expect((await getConversation(main, conversationId)).status).toBe('new');
  });
});

describe('a survey sent by hand', () => {
  test('managers of the inbox and administrators send one in any status; team members may not', async () => {
    const inboxId = await newInbox(main, { enabled: false, question: 'Inbox question for {{contact.first_name}}' });
    const { conversationId } = await inbound(main, inboxId, uniq('contact'), 'hi');
    expect((await http(stack, 'PUT', `/api/v1/conversations/${conversationId}/assignee`, { assigneeId: agent1.id }, main.admin.token)).status).toBe(200);

    const byManager = await http<SurveyView>(
      stack,
      'POST',
      `/api/v1/conversations/${conversationId}/csat-survey`,
      { question: 'Quick one, {{contact.first_name}}: how was it?' },
      manager.token,
    );
    expect(byManager.status).toBe(201);
    const [row] = await surveysOf(conversationId);
    expect(byManager.body).toEqual({
      id: row.id,
      conversationId,
      inboxId,
      agentId: agent1.id,
      resolutionKey: row.resolution_key,
      question: 'Quick one, Jane: how was it?',
      url: linkOf(row.token),
      messageId: row.message_id,
      sentAt: row.sent_at!.toISOString(),
      rating: null,
      comment: null,
      ratedAt: null,
    });
    expect(row.resolution_key).toMatch(/^manual:[0-9a-f-]{36}$/);
    const [decision] = await decisionsOf(conversationId, 'csat_sent');
    expect(decision.summary).toBe(`CSAT survey sent by hand by Mona Manager (agent Agnes Agent ${agent1.id})`);
    expect(decision.actor_user_id).toBe(manager.id);

    // the conversation is open: a sent survey is rated through its link, and the conversation stays as it was
    expect((await rate(row.token, { rating: 2 })).status).toBe(200);
    expect((await getConversation(main, conversationId)).status).toBe('new');

    // the administrator's survey uses the inbox's question and is a new survey
    const byAdmin = await http<SurveyView>(stack, 'POST', `/api/v1/conversations/${conversationId}/csat-survey`, {}, main.admin.token);
    expect(byAdmin.status).toBe(201);
    expect(byAdmin.body.question).toBe('Inbox question for Jane');
    expect(byAdmin.body.id).not.toBe(row.id);
    const messages = await surveyMessages(main, conversationId);
    expect(messages.map((m) => m.content)).toEqual([
      `Quick one, Jane: how was it?\n\nReply with a number from 1 (poor) to 5 (excellent), or rate us here: ${linkOf(row.token)}`,
      `Inbox question for Jane\n\nReply with a number from 1 (poor) to 5 (excellent), or rate us here: ${byAdmin.body.url}`,
    ]);

    const byMember = await http<ErrorBody>(stack, 'POST', `/api/v1/conversations/${conversationId}/csat-survey`, {}, agent1.token);
    expect(byMember.status).toBe(403);
    expect(byMember.body.message).toBe(`sending a CSAT survey by hand needs the manager role in inbox ${inboxId}`);

    const badVariable = await http<ErrorBody>(stack, 'POST', `/api/v1/conversations/${conversationId}/csat-survey`, { question: 'Hi {{nope}}' }, manager.token);
    expect([badVariable.status, badVariable.body.details?.[0]?.field]).toEqual([400, 'question']);
    const empty = await http<ErrorBody>(stack, 'POST', `/api/v1/conversations/${conversationId}/csat-survey`, { question: '' }, manager.token);
    expect([empty.status, empty.body.details?.[0]?.field]).toEqual([400, 'question']);
    const missing = await http(stack, 'POST', '/api/v1/conversations/00000000-0000-4000-8000-000000000000/csat-survey', {}, manager.token);
    expect(missing.status).toBe(404);
    expect(await surveysOf(conversationId)).toHaveLength(2);
  });
});

describe('the CSAT report', () => {
  /** A separate account, so the figures cover exactly these surveys. */
  let acct: Account;
  let x: User;
  let y: User;
  let managerA: User;
  let memberA: User;
  let inboxA: string;
  let inboxB: string;
  let oldSentAt: Date;

  const report = (who: User, query: string) => http<CsatReport & ErrorBody>(stack, 'GET', `/api/v1/reports/csat${query}`, undefined, who.token);

  beforeAll(async () => {
    acct = await newAccount('Report Ltd');
    x = await newUser(acct, 'Xavier');
    y = await newUser(acct, 'Yvonne');
    managerA = await newUser(acct, 'Manager A');
    memberA = await newUser(acct, 'Member A');
    inboxA = await newInbox(acct, { enabled: true }, { members: [x, y, memberA], managers: [managerA] }, 'A inbox');
    inboxB = await newInbox(acct, { enabled: true }, { members: [x, y], managers: [] }, 'B inbox');

    const s1 = await surveyed(acct, inboxA, x);
    const s2 = await surveyed(acct, inboxA, y);
    await surveyed(acct, inboxA, x); // no answer
    const s4 = await surveyed(acct, inboxB, y);
    const s5 = await surveyed(acct, inboxB, x);
    expect((await rate(s1.token, { rating: 5 })).status).toBe(200);
    expect((await rate(s2.token, { rating: 3 })).status).toBe(200);
    await inbound(acct, inboxB, s4.sourceId, '2: slow');
    expect((await rate(s5.token, { rating: 4 })).status).toBe(200);
    // s5 was sent 40 days ago: outside the default 30 days
    await sql(`update csat_surveys set sent_at = now() - interval '40 days' where id = ?`, [s5.surveyId]);
    oldSentAt = (await surveysOf(s5.conversationId))[0].sent_at!;
  }, 120_000);

  test('by inbox (the default), for the last 30 days, with a total', async () => {
    const res = await report(acct.admin, '');
    expect(res.status).toBe(200);
    expect(res.body.groupBy).toBe('inbox');
    expect(new Date(res.body.to).getTime() - new Date(res.body.from).getTime()).toBe(30 * DAY_MS);
    expect(res.body.rows).toEqual([
      { key: inboxA, label: 'A inbox', surveysSent: 3, responses: 2, averageRating: 4, satisfiedShare: 0.5, responseRate: 0.67 },
      { key: inboxB, label: 'B inbox', surveysSent: 1, responses: 1, averageRating: 2, satisfiedShare: 0, responseRate: 1 },
    ]);
    expect(res.body.total).toEqual({ key: 'total', label: 'Total', surveysSent: 4, responses: 3, averageRating: 3.33, satisfiedShare: 0.33, responseRate: 0.75 });
  });

  test('by agent, filtered by inbox and agent, and over a longer period', async () => {
    const byAgent = await report(acct.admin, '?groupBy=agent');
    expect(byAgent.status).toBe(200);
    expect(byAgent.body.rows).toEqual([
      { key: x.id, label: 'Xavier', surveysSent: 2, responses: 1, averageRating: 5, satisfiedShare: 1, responseRate: 0.5 },
      { key: y.id, label: 'Yvonne', surveysSent: 2, responses: 2, averageRating: 2.5, satisfiedShare: 0, responseRate: 1 },
    ]);

    const filtered = await report(acct.admin, `?groupBy=agent&inboxId=${inboxA}&agentId=${x.id}`);
    expect(filtered.body.rows).toEqual([{ key: x.id, label: 'Xavier', surveysSent: 2, responses: 1, averageRating: 5, satisfiedShare: 1, responseRate: 0.5 }]);
    expect(filtered.body.total).toMatchObject({ surveysSent: 2, responses: 1, averageRating: 5 });

    const from = new Date(Date.now() - 50 * DAY_MS).toISOString().slice(0, 10);
    const longer = await report(acct.admin, `?from=${from}&groupBy=day`);
    expect(longer.status).toBe(200);
    expect(longer.body.from).toBe(`${from}T00:00:00.000Z`);
    const recentDays = [...new Set((await sql<{ day: string }>(
      `select to_char(sent_at at time zone 'UTC', 'YYYY-MM-DD') as day from csat_surveys where account_id = ? and sent_at > now() - interval '30 days'`,
      [acct.accountId],
    )).map((r) => r.day))];
    const oldDay = oldSentAt.toISOString().slice(0, 10);
    expect(longer.body.rows.map((r) => r.key)).toEqual([oldDay, ...recentDays.sort()]);
    expect(longer.body.rows[0]).toEqual({ key: oldDay, label: oldDay, surveysSent: 1, responses: 1, averageRating: 4, satisfiedShare: 1, responseRate: 1 });
    expect(longer.body.total).toEqual({ key: 'total', label: 'Total', surveysSent: 5, responses: 4, averageRating: 3.5, satisfiedShare: 0.5, responseRate: 0.8 });

    // a window with nothing in it
    const empty = await report(acct.admin, '?from=2020-01-01&to=2020-01-31');
    expect(empty.body.rows).toEqual([]);
    expect(empty.body.total).toEqual({ key: 'total', label: 'Total', surveysSent: 0, responses: 0, averageRating: null, satisfiedShare: null, responseRate: null });
    expect(empty.body.to).toBe('2020-02-01T00:00:00.000Z');
  });

  test("periods are days in the account's time zone (Asia/Tokyo, UTC+9); a date-only from is its local midnight", async () => {
    expect((await http(stack, 'PATCH', '/api/v1/account', { settings: { timezone: 'Asia/Tokyo' } }, acct.admin.token)).status).toBe(200);
    try {
      const from = new Date(Date.now() - 50 * DAY_MS).toISOString().slice(0, 10);
      const res = await report(acct.admin, `?from=${from}&groupBy=day`);
      expect(res.status).toBe(200);
      expect(res.body.timezone).toBe('Asia/Tokyo');
      expect(res.body.from).toBe(new Date(Date.parse(`${from}T00:00:00Z`) - 9 * 3_600_000).toISOString());
      const tokyoDays = [...new Set((await sql<{ day: string }>(
        `select to_char(sent_at at time zone 'Asia/Tokyo', 'YYYY-MM-DD') as day from csat_surveys where account_id = ? and sent_at >= ?`,
        [acct.accountId, res.body.from],
      )).map((r) => r.day))].sort();
      expect(res.body.rows.map((r) => r.key)).toEqual(tokyoDays);
    } finally {
      await http(stack, 'PATCH', '/api/v1/account', { settings: { timezone: 'UTC' } }, acct.admin.token);
    }
  });

  test('managers see the inboxes they manage; team members and other accounts do not', async () => {
    const mine = await report(managerA, '');
    expect(mine.status).toBe(200);
    expect(mine.body.rows.map((r) => r.key)).toEqual([inboxA]);
    expect(mine.body.total).toMatchObject({ surveysSent: 3, responses: 2, averageRating: 4, satisfiedShare: 0.5, responseRate: 0.67 });
    expect((await report(managerA, `?inboxId=${inboxA}`)).status).toBe(200);

    const notManaged = await report(managerA, `?inboxId=${inboxB}`);
    expect([notManaged.status, notManaged.body.message]).toEqual([403, `you are not a member of inbox ${inboxB}`]);
    const member = await report(memberA, '');
    expect([member.status, member.body.message]).toEqual([403, 'the CSAT report needs the manager role in an inbox or the administrator role']);
    expect((await report(memberA, `?inboxId=${inboxA}`)).status).toBe(403);
    // another account's administrator sees their own account (none of these surveys), and not this inbox
    const otherAdmin = main.admin;
    const theirs = await report(otherAdmin, '?groupBy=agent');
    expect(theirs.status).toBe(200);
    expect(theirs.body.rows.map((r) => r.key)).not.toContain(x.id);
    expect((await report(otherAdmin, `?inboxId=${inboxA}`)).status).toBe(404);
    expect((await http(stack, 'GET', '/api/v1/reports/csat')).status).toBe(401);
  });

  test('rejects invalid parameters with a 400 naming the field', async () => {
    for (const [query, field] of [
      ['?groupBy=year', 'groupBy'],
      ['?from=yesterday', 'from'],
      ['?to=2026-13-01', 'to'],
      ['?from=2026-03-10&to=2026-03-01', 'from'],
      ['?inboxId=nope', 'inboxId'],
      ['?agentId=nope', 'agentId'],
      ['?region=eu', 'region'],
    ] as const) {
      const res = await report(acct.admin, query);
      expect([query, res.status, res.body.details?.[0]?.field]).toEqual([query, 400, field]);
    }
  });
});
