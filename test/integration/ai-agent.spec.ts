/**
 * The AI agent on the real PostgreSQL and Temporal, against a fake OpenAI server: it answers with
 * the conversation's history, answers each inbound message once, and hands over to humans when the
 * customer asks for a person, when the model says HANDOVER, when the call fails or times out, and
 * when no API key is configured. No worker runs, so nothing but the use case touches the conversation.
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { DomainError } from '../../src/common/domain-error';
import { SystemMessages } from '../../src/modules/conversations/system-messages';
import { AiAgentReplyUseCase } from '../../src/modules/ai/use-cases/ai-agent-reply.use-case';
import { startFakeOpenAi, type FakeOpenAi } from '../support/fake-openai';
import { http, signUp, startTestStack, type TestStack } from '../support/test-stack';

const MODEL = 'gpt-test-mini';
const SYSTEM_PROMPT =
  'You are the customer support assistant of the inbox "Acme Support". ' +
  "Answer the customer's last message helpfully, briefly and in the customer's language. " +
  'If you cannot answer confidently, or the customer wants to talk to a human, reply with exactly HANDOVER and nothing else.';

let fake: FakeOpenAi;
let stack: TestStack;
let admin: { token: string };
let inboxId: string;

beforeAll(async () => {
  fake = await startFakeOpenAi();
  stack = await startTestStack({
    worker: false,
    env: { OPENAI_API_KEY: 'test-key', OPENAI_BASE_URL: fake.baseUrl, OPENAI_TIMEOUT_MS: '500', OPENAI_MODEL: MODEL },
  });
  admin = await signUp(stack, 'AI agent tests');
  const inbox = await http<{ id: string }>(stack, 'POST', '/api/v1/inboxes', { name: 'Acme Support', channelType: 'api' }, admin.token);
  expect(inbox.status).toBe(201);
  inboxId = inbox.body.id;
}, 120_000);

afterAll(async () => {
  await stack?.close();
  await fake?.close();
});

beforeEach(() => {
  fake.requests.length = 0;
  fake.respondWith(() => ({ content: 'OK' }));
});

const agent = () => stack.api.get(AiAgentReplyUseCase);
const sql = <T>(query: string, params: unknown[] = []) => stack.api.get(EntityManager).fork().getConnection().execute<T[]>(query, params);

let n = 0;
/** An inbound message from a new contact (or the given one); returns the ids. */
async function inbound(content: string, sourceId = `ai-contact-${Date.now()}-${++n}`): Promise<{ conversationId: string; messageId: string; sourceId: string }> {
  const res = await http<{ conversationId: string; messageId: string }>(
    stack,
    'POST',
    `/api/v1/inboxes/${inboxId}/inbound-messages`,
    { contact: { sourceId, name: 'Casey Customer' }, content },
    admin.token,
  );
  expect(res.status).toBe(201);
  return { ...res.body, sourceId };
}

/** A conversation the AI agent handles, with one inbound message. */
async function aiConversation(content: string) {
  const msg = await inbound(content);
  await sql(`update conversations set handler = 'ai' where id = ?`, [msg.conversationId]);
  return msg;
}

async function handler(conversationId: string): Promise<string> {
  return (await sql<{ handler: string }>('select handler from conversations where id = ?', [conversationId]))[0].handler;
}

async function aiMessages(conversationId: string) {
  return sql<{ id: string; direction: string; sender_type: string; content: string; delivery_status: string; idempotency_key: string }>(
    `select id::text, direction, sender_type, content, delivery_status, idempotency_key from messages
     where conversation_id = ? and sender_type = 'ai' order by id`,
    [conversationId],
  );
}

async function decisions(conversationId: string) {
  return sql<{ id: string; kind: string; summary: string; details: Record<string, unknown> }>(
    'select id::text, kind, summary, details from conversation_decisions where conversation_id = ? order by id',
    [conversationId],
  );
}

test('answers with the history as chat messages and sends the answer as an AI message', async () => {
  const first = await inbound('Hello');
  await sql(`update conversations set handler = 'ai' where id = ?`, [first.conversationId]);
  await stack.api.get(SystemMessages).send({ conversationId: first.conversationId, content: 'Welcome to Acme!', idempotencyKey: `test-welcome:${first.conversationId}` });
  const second = await inbound('Where is my order 123?', first.sourceId);
  expect(second.conversationId).toBe(first.conversationId);
  fake.respondWith(() => ({ content: 'Your order 123 ships tomorrow.' }));

  const result = await agent().execute({ conversationId: first.conversationId, messageId: second.messageId });

  expect(fake.requests).toHaveLength(1);
  expect(fake.requests[0].headers.authorization).toBe('Bearer test-key');
  expect(fake.requests[0].body).toEqual({
    model: MODEL,
    messages: [
      { role: 'system', content: SYSTEM_PROMPT },
      { role: 'user', content: 'Hello' },
      { role: 'assistant', content: 'Welcome to Acme!' },
      { role: 'user', content: 'Where is my order 123?' },
    ],
    temperature: 0.2,
    max_tokens: 500,
  });

  const stored = await aiMessages(first.conversationId);
  expect(stored).toEqual([
    {
      id: result.messageId,
      direction: 'outbound',
      sender_type: 'ai',
      content: 'Your order 123 ships tomorrow.',
      delivery_status: 'sent',
      idempotency_key: `ai:${second.messageId}`,
    },
  ]);
  expect(result).toEqual({
    handedOver: false,
    reason: 'the AI agent answered',
    messageId: stored[0].id,
    decision: {
      id: expect.any(String),
      conversationId: first.conversationId,
      kind: 'ai_agent',
      summary: expect.stringMatching(/^AI agent answered \(model gpt-test-mini, \d+ ms\)$/),
      details: {
        outcome: 'answered',
        inboundMessageId: second.messageId,
        reason: 'the AI agent answered',
        answerMessageId: stored[0].id,
        model: MODEL,
        durationMs: expect.any(Number),
      },
      at: expect.any(String),
    },
  });
  expect(await handler(first.conversationId)).toBe('ai');

  // The conversation shows the answer like any other message.
  const view = await http<{ messages: { id: string; direction: string; senderType: string; content: string; deliveryStatus: string }[] }>(
    stack,
    'GET',
    `/api/v1/conversations/${first.conversationId}`,
    undefined,
    admin.token,
  );
  expect(view.body.messages.map((m) => [m.direction, m.senderType, m.content, m.deliveryStatus])).toEqual([
    ['inbound', 'contact', 'Hello', 'received'],
    ['outbound', 'system', 'Welcome to Acme!', 'sent'],
    ['inbound', 'contact', 'Where is my order 123?', 'received'],
    ['outbound', 'ai', 'Your order 123 ships tomorrow.', 'sent'],
  ]);
});

test('a second call for the same message sends nothing more and does not ask the model again', async () => {
  const msg = await aiConversation('Do you ship to Austria?');
  fake.respondWith(() => ({ content: 'Yes, we ship to Austria.' }));
  const first = await agent().execute({ conversationId: msg.conversationId, messageId: msg.messageId });
  const again = await agent().execute({ conversationId: msg.conversationId, messageId: msg.messageId });

  expect(fake.requests).toHaveLength(1);
  expect(again).toEqual(first);
  expect((await aiMessages(msg.conversationId)).map((m) => m.content)).toEqual(['Yes, we ship to Austria.']);
  expect((await decisions(msg.conversationId)).map((d) => d.kind)).toEqual(['ai_agent']);
});

test('the model sees at most the last 20 messages up to the one it answers', async () => {
  const msg = await aiConversation('message 1');
  for (let i = 2; i <= 25; i += 1) {
    await sql(`insert into messages (conversation_id, direction, sender_type, content, delivery_status, created_at) values (?, 'inbound', 'contact', ?, 'received', now())`, [
      msg.conversationId,
      `message ${i}`,
    ]);
  }
  const [{ id: answered }] = await sql<{ id: string }>(`select id::text from messages where conversation_id = ? and content = 'message 24'`, [msg.conversationId]);

  await agent().execute({ conversationId: msg.conversationId, messageId: answered });

  expect(fake.requests[0].body.messages.map((m) => m.content)).toEqual([SYSTEM_PROMPT, ...Array.from({ length: 20 }, (_, i) => `message ${i + 5}`)]);
});

test('a HANDOVER answer hands the conversation to humans', async () => {
  const msg = await aiConversation('Can you change the VAT number on invoice 77 from last year?');
  fake.respondWith(() => ({ content: 'HANDOVER' }));

  const result = await agent().execute({ conversationId: msg.conversationId, messageId: msg.messageId });

  expect(fake.requests).toHaveLength(1);
  expect(result).toEqual({
    handedOver: true,
    reason: 'the AI agent could not answer',
    decision: {
      id: expect.any(String),
      conversationId: msg.conversationId,
      kind: 'handover',
      summary: 'Handed over to human agents: the AI agent could not answer',
      details: { outcome: 'handed_over', inboundMessageId: msg.messageId, reason: 'the AI agent could not answer', model: MODEL, durationMs: expect.any(Number) },
      at: expect.any(String),
    },
  });
  expect(await handler(msg.conversationId)).toBe('human');
  expect(await aiMessages(msg.conversationId)).toEqual([]);
  expect(await decisions(msg.conversationId)).toEqual([
    { id: result.decision.id, kind: 'handover', summary: 'Handed over to human agents: the AI agent could not answer', details: result.decision.details },
  ]);

  // A retried activity gets the same answer, so the caller still routes the conversation.
  const again = await agent().execute({ conversationId: msg.conversationId, messageId: msg.messageId });
  expect(again).toEqual(result);
  expect(fake.requests).toHaveLength(1);
});

test('"HANDOVER." with punctuation counts as HANDOVER', async () => {
  const msg = await aiConversation('Something unusual');
  fake.respondWith(() => ({ content: ' HANDOVER. ' }));
  const result = await agent().execute({ conversationId: msg.conversationId, messageId: msg.messageId });
  expect([result.handedOver, result.reason]).toEqual([true, 'the AI agent could not answer']);
});

test('a customer asking for a human is handed over without asking the model', async () => {
  const msg = await aiConversation('I want to talk to a human');

  const result = await agent().execute({ conversationId: msg.conversationId, messageId: msg.messageId });

  expect(fake.requests).toHaveLength(0);
  expect(result).toEqual({
    handedOver: true,
    reason: 'the customer asked for a human',
    decision: {
      id: expect.any(String),
      conversationId: msg.conversationId,
      kind: 'handover',
      summary: 'Handed over to human agents: the customer asked for a human',
      details: { outcome: 'handed_over', inboundMessageId: msg.messageId, reason: 'the customer asked for a human' },
      at: expect.any(String),
    },
  });
  expect(await handler(msg.conversationId)).toBe('human');
});

test('a timeout hands over and says so', async () => {
  const msg = await aiConversation('What are your opening hours?');
  fake.respondWith(() => ({ content: 'too late', delayMs: 1500 }));

  const started = Date.now();
  const result = await agent().execute({ conversationId: msg.conversationId, messageId: msg.messageId });

  expect(Date.now() - started).toBeLessThan(1400);
  expect(fake.requests).toHaveLength(1);
  expect(result.handedOver).toBe(true);
  expect(result.reason).toBe('the AI agent failed: timed out after 500 ms');
  expect(result.decision.kind).toBe('handover');
  expect(result.decision.summary).toBe('Handed over to human agents: the AI agent failed: timed out after 500 ms');
  expect(result.decision.details).toEqual({
    outcome: 'handed_over',
    inboundMessageId: msg.messageId,
    reason: 'the AI agent failed: timed out after 500 ms',
    model: MODEL,
    durationMs: expect.any(Number),
    error: 'timeout',
  });
  expect(await handler(msg.conversationId)).toBe('human');
  expect(await aiMessages(msg.conversationId)).toEqual([]);
});

test('an HTTP error hands over and names it', async () => {
  const msg = await aiConversation('What are your prices?');
  fake.respondWith(() => ({ status: 500 }));

  const result = await agent().execute({ conversationId: msg.conversationId, messageId: msg.messageId });

  expect(fake.requests).toHaveLength(1);
  expect([result.handedOver, result.reason, result.decision.kind, result.decision.summary]).toEqual([
    true,
    'the AI agent failed: HTTP 500: fake error 500',
    'handover',
    'Handed over to human agents: the AI agent failed: HTTP 500: fake error 500',
  ]);
  expect(result.decision.details).toMatchObject({ error: 'http' });
  expect(await handler(msg.conversationId)).toBe('human');
  expect(await aiMessages(msg.conversationId)).toEqual([]);
});

test('without an API key every conversation is handed over, and the decision says why', async () => {
  const noKey = await startTestStack({ worker: false, env: { OPENAI_API_KEY: '', OPENAI_BASE_URL: fake.baseUrl } });
  try {
    const msg = await aiConversation('Hello, is anyone there?');
    const result = await noKey.api.get(AiAgentReplyUseCase).execute({ conversationId: msg.conversationId, messageId: msg.messageId });

    expect(fake.requests).toHaveLength(0);
    expect(result).toEqual({
      handedOver: true,
      reason: 'the AI agent is not configured (OPENAI_API_KEY is missing)',
      decision: {
        id: expect.any(String),
        conversationId: msg.conversationId,
        kind: 'handover',
        summary: 'Handed over to human agents: the AI agent is not configured (OPENAI_API_KEY is missing)',
        details: { outcome: 'handed_over', inboundMessageId: msg.messageId, reason: 'the AI agent is not configured (OPENAI_API_KEY is missing)' },
        at: expect.any(String),
      },
    });
    expect(await handler(msg.conversationId)).toBe('human');
  } finally {
    await noKey.close();
  }
});

test('a conversation no longer handled by the AI agent, or closed, is left alone', async () => {
  const human = await inbound('Where is my parcel?');
  const result = await agent().execute({ conversationId: human.conversationId, messageId: human.messageId });
  expect(result).toEqual({
    handedOver: false,
    reason: 'the conversation is handled by human agents',
    decision: {
      id: expect.any(String),
      conversationId: human.conversationId,
      kind: 'ai_agent',
      summary: 'AI agent did nothing: the conversation is handled by human agents',
      details: { outcome: 'skipped', inboundMessageId: human.messageId, reason: 'the conversation is handled by human agents', handler: 'human', status: 'new' },
      at: expect.any(String),
    },
  });

  const resolved = await aiConversation('Thanks, all good');
  await sql(`update conversations set status = 'resolved', resolved_at = now() where id = ?`, [resolved.conversationId]);
  const closed = await agent().execute({ conversationId: resolved.conversationId, messageId: resolved.messageId });
  expect([closed.handedOver, closed.reason, closed.decision.summary]).toEqual([
    false,
    'the conversation is resolved',
    'AI agent did nothing: the conversation is resolved',
  ]);
  expect(await handler(resolved.conversationId)).toBe('ai');

  expect(fake.requests).toHaveLength(0);
  expect(await aiMessages(human.conversationId)).toEqual([]);
  expect(await aiMessages(resolved.conversationId)).toEqual([]);
});

test('an unknown conversation or a message of another conversation is NOT_FOUND', async () => {
  const msg = await aiConversation('Hi');
  const other = await aiConversation('Hi again');
  await expect(agent().execute({ conversationId: '00000000-0000-4000-8000-000000000000', messageId: msg.messageId })).rejects.toMatchObject({
    code: 'NOT_FOUND',
    message: 'conversation 00000000-0000-4000-8000-000000000000 was not found',
  });
  const wrong = agent().execute({ conversationId: msg.conversationId, messageId: other.messageId });
  await expect(wrong).rejects.toBeInstanceOf(DomainError);
  await expect(wrong).rejects.toMatchObject({ code: 'NOT_FOUND', message: `message ${other.messageId} was not found` });
  expect(fake.requests).toHaveLength(0);
});
