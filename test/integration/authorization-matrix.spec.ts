/**
 * Every endpoint, called as: no token, a user of another account, a non-member, a team member, a
 * manager and an administrator; the exact status of each is asserted. A route missing from the
 * tables fails the test, so new endpoints must be added to test/integration/matrix/*.routes.ts.
 * Every status asserted here must be one the OpenAPI document lists for the route.
 */
import { type OpenApiDocument, schemaProblems } from '../support/openapi-audit';
import { http, startTestStack, type TestStack } from '../support/test-stack';
import { contactRoutes } from './matrix/contacts.routes';
import { conversationRoutes } from './matrix/conversations.routes';
import { coreRoutes } from './matrix/core.routes';
import { presenceRoutes } from './matrix/presence.routes';
import { csatRoutes } from './matrix/csat.routes';
import { savedReplyRoutes } from './matrix/saved-replies.routes';
import { smsRoutes } from './matrix/sms.routes';
import { emailRoutes } from './matrix/email.routes';
import { campaignRoutes } from './matrix/campaigns.routes';
import { aiRoutes } from './matrix/ai.routes';
import { automationRoutes } from './matrix/automation.routes';
import { liveEventRoutes } from './matrix/live-events.routes';
import { webhookRoutes } from './matrix/webhooks.routes';
import { crmRoutes } from './matrix/crm.routes';
import { createFixture, ROLES, type MatrixFixture, type MatrixRoute } from './matrix/fixture';

const ALL_ROUTES: MatrixRoute[] = [...coreRoutes, ...conversationRoutes, ...contactRoutes, ...savedReplyRoutes, ...presenceRoutes, ...csatRoutes, ...smsRoutes, ...emailRoutes, ...campaignRoutes, ...aiRoutes, ...automationRoutes, ...liveEventRoutes, ...webhookRoutes, ...crmRoutes];
const PUBLIC_ROUTES = new Set(['GET /health']);

let stack: TestStack;
let fx: MatrixFixture;
let spec: OpenApiDocument;

beforeAll(async () => {
  stack = await startTestStack({ worker: true, env: { LOGIN_MAX_FAILURES: '1000' } });
  fx = await createFixture(stack);
  spec = (await http<OpenApiDocument>(stack, 'GET', '/api/docs-json')).body;
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

test('every endpoint in the OpenAPI document has a row in the matrix', async () => {
  const spec = await http<{ paths: Record<string, Record<string, unknown>> }>(stack, 'GET', '/api/docs-json');
  const documented = Object.entries(spec.body.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
  const covered = new Set(ALL_ROUTES.map((r) => r.route));
  expect(documented.filter((r) => !covered.has(r) && !PUBLIC_ROUTES.has(r))).toEqual([]);
  expect([...covered].filter((r) => !documented.includes(r))).toEqual([]);
});

test('every status the matrix asserts is documented for its route', async () => {
  const spec = await http<{ paths: Record<string, Record<string, { responses: Record<string, unknown> }>> }>(stack, 'GET', '/api/docs-json');
  const undocumented = ALL_ROUTES.flatMap((r) => {
    const [method, path] = r.route.split(' ');
    const responses = spec.body.paths[path]?.[method.toLowerCase()]?.responses ?? {};
    return [...new Set(Object.values(r.expected))].filter((status) => !(String(status) in responses)).map((status) => `${r.route} ${status}`);
  });
  expect(undocumented).toEqual([]);
});

/** The event stream: its status and, for a 200, its first event (then the connection is closed); else the JSON answer. */
async function openStream<T>(path: string, token?: string): Promise<{ status: number; body: T | undefined }> {
  const abort = new AbortController();
  const res = await fetch(stack.baseUrl + path, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: abort.signal });
  if (res.status !== 200) return { status: res.status, body: (await res.json()) as T };
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const reader = res.body!.getReader();
  let text = '';
  while (!text.includes('event: ready')) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  abort.abort();
  expect(text).toContain('event: ready');
  return { status: 200, body: undefined };
}

/** A CSV download (GET): the 200 answer is text/csv, not JSON. */
async function csvDownload<T>(path: string, token?: string): Promise<{ status: number; body: T }> {
  const res = await fetch(stack.baseUrl + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (res.status !== 200) return { status: res.status, body: (await res.json()) as T };
  expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
  await res.text();
  return { status: 200, body: undefined as T };
}

/** A request whose body is not JSON (the CSV import). */
async function rawBody<T>(method: string, path: string, body: string, contentType: string, token?: string): Promise<{ status: number; body: T }> {
  const res = await fetch(stack.baseUrl + path, {
    method,
    headers: { 'content-type': contentType, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

describe.each(ALL_ROUTES.map((r) => [r.route, r] as const))('%s', (_name, route) => {
  test.each(ROLES.map((role) => [role, route.expected[role]] as const))('as %s -> %i', async (role, status) => {
    const method = route.route.split(' ')[0];
    const req = await route.request(fx, role);
    const token = req.token ?? (role === 'anonymous' ? undefined : fx.users[role].token);
    const res = req.stream
      ? await openStream<{ message?: string }>(req.path, token)
      : req.csv
      ? await csvDownload<{ message?: string }>(req.path, token)
      : req.contentType
      ? await rawBody<{ message?: string }>(method, req.path, String(req.body), req.contentType, token)
      : await http<{ message?: string }>(stack, method, req.path, req.body, token);
    if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
    // The answer is the one the OpenAPI document describes for this status (the console's client is generated from it).
    const [, path] = route.route.split(' ');
    const documented = spec.paths[path]?.[method.toLowerCase()]?.responses?.[String(status)];
    const schema = documented?.content?.['application/json']?.schema;
    if (schema && res.body !== undefined) expect(schemaProblems(spec, schema, res.body)).toEqual([]);
    if (status === 403) expect(res.body?.message).toMatch(/needs|not a member|cannot/);
  });
});
