/**
 * The console generates its typed client from /api/docs-json, so the document must say what the
 * server does. This test (1) audits the live document: bearer security on every operation but the
 * public ones, a 2xx schema and ErrorResponse 4xx answers on every operation, no bare `object` or
 * untyped properties, and every class-validator rule of the request DTOs stated; (2) generates
 * TypeScript types from it with openapi-typescript and type-checks, with tsc, real requests and
 * the real answers of a few calls (sign-up, login, inbox, conversations, contact, campaign) written
 * as literals of the generated types — an undocumented field, a missing required one, a null where
 * the document says string, or a response without a schema fails to compile; (3) shows that it
 * does: the same usage against a document with a schema removed and a nullable dropped fails.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { collectRoutes, validatedClasses } from '../../src/common/openapi-document';
import { type DtoClass, validationFacts } from '../../src/common/validation-schema';
import { auditCounts, auditOpenApi, auditValidationFacts, type OpenApiDocument } from '../support/openapi-audit';
import { http, startTestStack, type TestStack } from '../support/test-stack';

let stack: TestStack;
let doc: OpenApiDocument;
let dir: string;

beforeAll(async () => {
  stack = await startTestStack({ worker: false });
  const res = await http<OpenApiDocument>(stack, 'GET', '/api/docs-json');
  expect(res.status).toBe(200);
  doc = res.body;
  dir = mkdtempSync(join(tmpdir(), 'openapi-types-'));
}, 60_000);

afterAll(async () => {
  await stack?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the live document', () => {
  test('declares bearer auth, a 2xx schema and ErrorResponse 4xx answers on every operation; no bare objects', () => {
    const audit = auditOpenApi(doc);
    expect(audit.operations).toBeGreaterThanOrEqual(100);
    expect(audit.bearerSchemeDeclared).toBe(true);
    expect(audit.withoutSuccessSchema).toEqual([]);
    expect(audit.wrongSecurity).toEqual([]);
    expect(audit.withoutUnauthorized).toEqual([]);
    expect(audit.withoutBadRequest).toEqual([]);
    // GET /health answers 200 or 503 with its own body, never a 4xx.
    expect(audit.withoutClientErrors).toEqual(['GET /health']);
    expect(audit.clientErrorsWithoutErrorShape).toEqual([]);
    expect(audit.bareObjectProperties).toEqual([]);
    expect(audit.untypedProperties).toEqual([]);
    expect(audit.arraysWithoutItems).toEqual([]);
    expect(auditCounts(audit).operations).toBe(audit.operations);
  });

  test('was completed from every route and states every class-validator rule of the request bodies and queries', () => {
    const routes = [...collectRoutes(stack.api).entries()];
    // Each operation was completed from its route (security, errors, success status, bounds).
    const operationIds = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((op) => (op as { operationId?: string }).operationId));
    expect(operationIds.filter((id) => !routes.some(([routeId]) => routeId === id))).toEqual([]);
    const bodies = new Set<DtoClass>(validatedClasses());
    for (const [, r] of routes) if (r.bodyType) bodies.add(r.bodyType);
    const queries = routes.filter(([, r]) => r.queryType).map(([operationId, r]) => ({ operationId, cls: r.queryType! }));
    expect(queries.length).toBeGreaterThan(5);
    const documentedBodies = [...bodies].filter((c) => doc.components?.schemas?.[c.name]);
    expect(documentedBodies.length).toBeGreaterThan(30);
    expect(auditValidationFacts(doc, validationFacts, [...bodies], queries)).toEqual([]);
  });

  test('answers the error shape the filter sends, and a 400 names the field', async () => {
    const res = await http<Record<string, unknown>>(stack, 'POST', '/api/v1/auth/login', { email: 'not an email', password: 'x' });
    expect(res.status).toBe(400);
    const shape = doc.components!.schemas!.ErrorResponse as { required: string[]; properties: Record<string, unknown> };
    expect(Object.keys(res.body).every((k) => k in shape.properties)).toBe(true);
    expect(shape.required.every((k) => k in res.body)).toBe(true);
    expect(res.body.details).toEqual([{ field: 'email', problem: expect.any(String) }]);
  });
});

/** One typed literal in the usage file: `const name: Type = value;`. */
const literal = (name: string, type: string, value: unknown) => `export const ${name}: ${type} = ${JSON.stringify(value, null, 2)};\n`;

async function realCalls(): Promise<string> {
  let out = '';
  const email = `openapi-${Date.now()}@example.com`;
  const signUpBody = { name: 'Typed Ltd', admin: { name: 'Tia', email, password: 'correct horse battery' } };
  const signUp = await http<{ token: string }>(stack, 'POST', '/api/v1/accounts', signUpBody);
  expect(signUp.status).toBe(201);
  out += literal('signUpRequest', "Body<'/api/v1/accounts', 'post'>", signUpBody);
  out += literal('signUp', "Json<'/api/v1/accounts', 'post', 201>", signUp.body);
  const again = await http(stack, 'POST', '/api/v1/accounts', signUpBody);
  expect(again.status).toBe(409);
  out += literal('signUpConflict', "Json<'/api/v1/accounts', 'post', 409>", again.body);

  const loginBody = { email, password: 'correct horse battery' };
  const login = await http<{ token: string }>(stack, 'POST', '/api/v1/auth/login', loginBody);
  expect(login.status).toBe(200);
  out += literal('loginRequest', "Body<'/api/v1/auth/login', 'post'>", loginBody);
  out += literal('login', "Json<'/api/v1/auth/login', 'post', 200>", login.body);
  const wrong = await http(stack, 'POST', '/api/v1/auth/login', { email, password: 'wrong password!' });
  expect(wrong.status).toBe(401);
  out += literal('loginRefused', "Json<'/api/v1/auth/login', 'post', 401>", wrong.body);
  const token = login.body.token;

  const inboxBody = { name: 'Typed support', channelType: 'api', welcomeMessage: null, settings: { csat: { enabled: true, delaySeconds: 60 } } };
  const inbox = await http<{ id: string }>(stack, 'POST', '/api/v1/inboxes', inboxBody, token);
  expect(inbox.status).toBe(201);
  out += literal('createInboxRequest', "Body<'/api/v1/inboxes', 'post'>", inboxBody);
  out += literal('createInbox', "Json<'/api/v1/inboxes', 'post', 201>", inbox.body);

  const inboundBody = { contact: { sourceId: 'typed-1', name: 'Jane' }, content: 'Hello there', externalId: 'typed-msg-1' };
  const inbound = await http(stack, 'POST', `/api/v1/inboxes/${inbox.body.id}/inbound-messages`, inboundBody, token);
  expect(inbound.status).toBe(201);
  out += literal('inboundRequest', "Body<'/api/v1/inboxes/{inboxId}/inbound-messages', 'post'>", inboundBody);
  out += literal('inbound', "Json<'/api/v1/inboxes/{inboxId}/inbound-messages', 'post', 201>", inbound.body);

  const listQuery = { inboxId: inbox.body.id, status: 'new', limit: 10 };
  const list = await http(stack, 'GET', `/api/v1/conversations?inboxId=${listQuery.inboxId}&status=new&limit=10`, undefined, token);
  expect(list.status).toBe(200);
  expect((list.body as { items: unknown[] }).items).toHaveLength(1);
  out += literal('listConversationsQuery', "Query<'/api/v1/conversations', 'get'>", listQuery);
  out += literal('listConversations', "Json<'/api/v1/conversations', 'get', 200>", list.body);
  const badLimit = await http(stack, 'GET', '/api/v1/conversations?limit=0', undefined, token);
  expect(badLimit.status).toBe(400);
  out += literal('listConversationsInvalid', "Json<'/api/v1/conversations', 'get', 400>", badLimit.body);

  const contactBody = { name: 'Carla', email: `carla-${Date.now()}@example.com`, phone: null, vip: true, tags: ['newsletter'] };
  const contact = await http(stack, 'POST', '/api/v1/contacts', contactBody, token);
  expect(contact.status).toBe(201);
  out += literal('createContactRequest', "Body<'/api/v1/contacts', 'post'>", contactBody);
  out += literal('createContact', "Json<'/api/v1/contacts', 'post', 201>", contact.body);

  const campaignBody = {
    name: 'Typed spring sale',
    type: 'promotional',
    inboxId: inbox.body.id,
    audience: { tags: ['newsletter'] },
    template: 'Hi {{contact.first_name}}, our sale starts today.',
    scheduledAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    rateLimitPerSecond: 5,
    quietHours: { start: '21:00', end: '08:00' },
  };
  const campaign = await http<{ id: string }>(stack, 'POST', '/api/v1/campaigns', campaignBody, token);
  expect(campaign.status).toBe(201);
  out += literal('createCampaignRequest', "Body<'/api/v1/campaigns', 'post'>", campaignBody);
  out += literal('createCampaign', "Json<'/api/v1/campaigns', 'post', 201>", campaign.body);
  const started = await http(stack, 'POST', `/api/v1/campaigns/${campaign.body.id}/start`, undefined, token);
  expect(started.status).toBe(200);
  out += literal('startCampaign', "Json<'/api/v1/campaigns/{id}/start', 'post', 200>", started.body);
  return out;
}

/** Helper types: the JSON of an answer, request body and query of an operation; each must be a real, described type. */
const USAGE_HEADER = `import type { paths } from './api';

type IsAny<T> = 0 extends 1 & T ? true : false;
type IsNever<T> = [T] extends [never] ? true : false;
type IsUnknown<T> = IsAny<T> extends true ? false : unknown extends T ? true : false;
/** true for a type a client can use; false for any, never and unknown (a response or body without a schema). */
type Described<T> = IsAny<T> extends true ? false : IsNever<T> extends true ? false : IsUnknown<T> extends true ? false : true;
type Assert<T extends true> = T;

type Op<P extends keyof paths, M extends keyof paths[P]> = NonNullable<paths[P][M]>;
type Json<P extends keyof paths, M extends keyof paths[P], S extends number> = Op<P, M> extends { responses: infer R }
  ? S extends keyof R
    ? R[S] extends { content: { 'application/json': infer B } }
      ? B
      : never
    : never
  : never;
type Body<P extends keyof paths, M extends keyof paths[P]> = Op<P, M> extends { requestBody: { content: { 'application/json': infer B } } } ? B : never;
type Query<P extends keyof paths, M extends keyof paths[P]> = Op<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

// Each answer and body used below is a described type, not never/unknown/any.
export type Checks = [
  Assert<Described<Json<'/api/v1/accounts', 'post', 201>>>,
  Assert<Described<Json<'/api/v1/accounts', 'post', 409>>>,
  Assert<Described<Json<'/api/v1/auth/login', 'post', 200>>>,
  Assert<Described<Json<'/api/v1/auth/login', 'post', 401>>>,
  Assert<Described<Json<'/api/v1/inboxes', 'post', 201>>>,
  Assert<Described<Json<'/api/v1/inboxes/{inboxId}/inbound-messages', 'post', 201>>>,
  Assert<Described<Json<'/api/v1/conversations', 'get', 200>>>,
  Assert<Described<Json<'/api/v1/conversations', 'get', 400>>>,
  Assert<Described<Json<'/api/v1/contacts', 'post', 201>>>,
  Assert<Described<Json<'/api/v1/campaigns', 'post', 201>>>,
  Assert<Described<Json<'/api/v1/campaigns/{id}/start', 'post', 200>>>,
  Assert<Described<Body<'/api/v1/accounts', 'post'>>>,
  Assert<Described<Body<'/api/v1/campaigns', 'post'>>>,
  Assert<Described<Query<'/api/v1/conversations', 'get'>>>,
];

`;

/** Code using the answers as a client would: fields with their documented types. */
const USAGE_FOOTER = `
export const sessionToken: string = login.token;
export const accountName: string = signUp.account.name;
export const firstAssignee: string | null = listConversations.items[0].assigneeId;
export const nextCursor: string | null = listConversations.nextCursor;
export const rateLimit: number | null = startCampaign.rateLimitPerSecond;
export const status: 'draft' | 'scheduled' | 'running' | 'paused' | 'completed' | 'cancelled' | 'failed' = startCampaign.status;
export const problemField: string | undefined = listConversationsInvalid.details?.[0].field;
export const csatDelay: number = createInbox.settings.csat.delaySeconds;
`;

const ROOT = resolve(__dirname, '../..');

/** Runs node in the repository with the arguments; rejects with the output on a non-zero exit. */
function run(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, output }));
  });
}

/**
 * openapi-typescript's Node API (openapiTS + astToString), as the console's generator calls it. It
 * runs in a child process: the package loads ESM-only dependencies that jest's module loader cannot.
 */
const GENERATE = `
import { readFileSync, writeFileSync } from 'node:fs';
import openapiTS, { astToString } from 'openapi-typescript';
const [input, output] = process.argv.slice(1);
writeFileSync(output, astToString(await openapiTS(JSON.parse(readFileSync(input, 'utf8')))));
`;

async function generate(document: OpenApiDocument, name: string): Promise<string> {
  const sub = join(dir, name);
  rmSync(sub, { recursive: true, force: true });
  mkdirSync(sub);
  writeFileSync(join(sub, 'openapi.json'), JSON.stringify(document));
  const generated = await run(['--input-type=module', '-e', GENERATE, join(sub, 'openapi.json'), join(sub, 'api.ts')]);
  if (generated.code !== 0) throw new Error(`openapi-typescript failed:\n${generated.output}`);
  writeFileSync(
    join(sub, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, target: 'ES2022', module: 'commonjs', lib: ['ES2022'], types: [], skipLibCheck: false },
      files: ['api.ts', 'usage.ts'],
    }),
  );
  return sub;
}

/** tsc --noEmit on a folder; resolves with the exit code and the output. */
function typeCheck(folder: string): Promise<{ code: number | null; output: string }> {
  return run([join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(folder, 'tsconfig.json'), '--pretty', 'false']);
}

describe('types generated with openapi-typescript', () => {
  let usage: string;

  beforeAll(async () => {
    usage = USAGE_HEADER + (await realCalls()) + USAGE_FOOTER;
  }, 60_000);

  test('type-check the real requests and answers of sign-up, login, inbox, conversations, contact and campaign', async () => {
    const folder = await generate(doc, 'live');
    writeFileSync(join(folder, 'usage.ts'), usage);
    const result = await typeCheck(folder);
    if (result.code !== 0) throw new Error(`tsc failed on the generated types:\n${result.output}\n--- usage.ts ---\n${usage}`);
  }, 120_000);

  test('fail to type-check when a response loses its schema, a nullable field its null or an object a field', async () => {
    const broken = structuredClone(doc) as OpenApiDocument & { paths: Record<string, Record<string, { responses: Record<string, { content?: unknown }> }>> };
    delete broken.paths['/api/v1/campaigns/{id}/start'].post.responses['200'].content;
    const conversation = broken.components!.schemas!.ConversationView as { properties: Record<string, Record<string, unknown>> };
    delete conversation.properties.assigneeId.nullable;
    // (a second problem in the same literal would not be reported: tsc names the first one per assignment)
    const inbound = broken.components!.schemas!.InboundMessageResultView as { properties: Record<string, unknown> };
    delete inbound.properties.conversationCreated;
    const folder = await generate(broken, 'broken');
    writeFileSync(join(folder, 'usage.ts'), usage);
    const result = await typeCheck(folder);
    expect(result.code).not.toBe(0);
    const lines = usage.split('\n');
    const lineOf = (text: string) => lines.findIndex((l) => l.includes(text)) + 1;
    // The Assert on the start answer (never), the null assigneeId of the listed conversation, the inbound answer's undocumented conversationCreated.
    expect(result.output).toContain(`usage.ts(${lineOf("Json<'/api/v1/campaigns/{id}/start'")},`);
    expect(result.output).toMatch(/Type 'null' is not assignable to type 'string'/);
    expect(result.output).toMatch(/Object literal may only specify known properties, and '"conversationCreated"' does not exist/);
  }, 120_000);
});
