/**
 * Builders for lifecycle tests: an account with an inbox, agents who are members of it, logins,
 * inbound messages, and reads of conversations and their recorded decisions.
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { eventually, http, signUp, type TestStack } from './test-stack';

export interface Agent {
  userId: string;
  name: string;
  email: string;
  token?: string;
}

export interface LifecycleFixture {
  stack: TestStack;
  admin: { token: string; userId: string; accountId: string };
  inboxId: string;
  agents: Agent[];
  login(agent: Agent): Promise<string>;
  logout(agent: Agent): Promise<void>;
  inbound(sourceId: string, content: string, contact?: { name?: string }): Promise<{ conversationId: string; messageId: string }>;
  conversation(id: string): Promise<{ id: string; status: string; assigneeId: string | null }>;
  /** Conversations of the inbox straight from Postgres (the record the router writes). */
  rows(): Promise<{ id: string; assignee_id: string | null; status: string; queued_at: Date | null; contact_id: string }[]>;
  decisions(conversationId: string): Promise<{ kind: string; summary: string; details: Record<string, unknown> | null; created_at: Date }[]>;
  sql<T = unknown>(query: string, params?: unknown[]): Promise<T[]>;
}

let seq = 0;

export async function createLifecycleFixture(
  stack: TestStack,
  opts: { settings?: Record<string, unknown>; agents?: number; welcomeMessage?: string | null } = {},
): Promise<LifecycleFixture> {
  const admin = await signUp(stack);
  const inbox = await http<{ id: string }>(stack, 'POST', '/api/v1/inboxes', { name: `Lifecycle ${++seq}`, channelType: 'api', welcomeMessage: opts.welcomeMessage ?? null, settings: opts.settings ?? {} }, admin.token);
  if (inbox.status !== 201) throw new Error(`inbox: ${inbox.status} ${JSON.stringify(inbox.body)}`);
  const agents: Agent[] = [];
  for (let i = 0; i < (opts.agents ?? 0); i++) {
    const email = `agent-${Date.now()}-${++seq}-${Math.random().toString(36).slice(2, 8)}@example.com`;
    // Names sort like creation order, ids do not: tests find agents by id.
    const name = `Agent ${String.fromCharCode(65 + i)}`;
    const created = await http<{ id: string }>(stack, 'POST', '/api/v1/users', { name, email, password: 'correct horse battery' }, admin.token);
    if (created.status !== 201) throw new Error(`user: ${created.status} ${JSON.stringify(created.body)}`);
    const member = await http(stack, 'PUT', `/api/v1/inboxes/${inbox.body.id}/members/${created.body.id}`, { role: 'member' }, admin.token);
    if (member.status !== 200) throw new Error(`member: ${member.status} ${JSON.stringify(member.body)}`);
    agents.push({ userId: created.body.id, name, email });
  }
  const em = () => stack.api.get(EntityManager).fork();
  const sql = <T>(query: string, params: unknown[] = []) => em().execute<T[]>(query, params);
  return {
    stack,
    admin,
    inboxId: inbox.body.id,
    agents,
    async login(agent) {
      const res = await http<{ token: string }>(stack, 'POST', '/api/v1/auth/login', { email: agent.email, password: 'correct horse battery' });
      if (res.status !== 200 && res.status !== 201) throw new Error(`login: ${res.status} ${JSON.stringify(res.body)}`);
      agent.token = res.body.token;
      return res.body.token;
    },
    async logout(agent) {
      const res = await http(stack, 'POST', '/api/v1/auth/logout', undefined, agent.token);
      if (res.status >= 300) throw new Error(`logout: ${res.status} ${JSON.stringify(res.body)}`);
      agent.token = undefined;
    },
    async inbound(sourceId, content, contact = {}) {
      const res = await http<{ conversationId: string; messageId: string }>(
        stack,
        'POST',
        `/api/v1/inboxes/${inbox.body.id}/inbound-messages`,
        { contact: { sourceId, ...contact }, content },
        admin.token,
      );
      if (res.status !== 201) throw new Error(`inbound: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
    async conversation(id) {
      const res = await http<{ id: string; status: string; assigneeId: string | null }>(stack, 'GET', `/api/v1/conversations/${id}`, undefined, admin.token);
      if (res.status !== 200) throw new Error(`conversation: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
    rows() {
      return sql(`select id, assignee_id, status, queued_at, contact_id from conversations where inbox_id = ? order by created_at, id`, [inbox.body.id]);
    },
    decisions(conversationId) {
      return sql(`select kind, summary, details, created_at from conversation_decisions where conversation_id = ? order by id`, [conversationId]);
    },
    sql,
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the conversation's row names `userId` as its assignee (null: unassigned). */
export async function assignedTo(fx: LifecycleFixture, conversationId: string, userId: string | null, timeoutMs = 15_000): Promise<true> {
  return eventually(async () => ((await fx.rows()).find((r) => r.id === conversationId)?.assignee_id === userId ? true : undefined), timeoutMs, `conversation ${conversationId} held by ${userId}`);
}

/** When the conversation was unassigned, by the 'unassigned' decision's own timestamp (written by the activity). */
export async function unassignedAt(fx: LifecycleFixture, conversationId: string): Promise<number> {
  const d = (await fx.decisions(conversationId)).find((x) => x.kind === 'unassigned');
  if (!d) throw new Error('no unassigned decision');
  return new Date(d.created_at).getTime();
}
