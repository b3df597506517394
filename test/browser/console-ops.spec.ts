/**
 * The ops screen in a real Chromium against a real stack (PostgreSQL, Temporal, the routing
 * workflow): an administrator opens a routed conversation's timeline, expands the assignment
 * decision and sees the candidate agents with their loads and the chosen one, exactly as the
 * decision's recorded details say; the rule trace with each condition's actual value; the link to
 * the conversation's workflow in the Temporal UI. A member of another inbox gets the API's 403, a
 * non-manager forcing a manager URL the no-access state, another account's admin "not found".
 */
import path from 'node:path';
import { DESKTOP, PHONE, SCREENSHOT_DIR, loginAs, newContext, screenshot, useBrowser, visible } from '../support/browser';
import { createLifecycleFixture, assignedTo, type LifecycleFixture } from '../support/lifecycle-fixture';
import { http, signUp, startTestStack, type TestStack } from '../support/test-stack';

useBrowser();
let stack: TestStack;
const TEMPORAL_UI = 'http://temporal-ui.example.test:8233';
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  stack = await startTestStack({ env: { TEMPORAL_UI_URL: TEMPORAL_UI, AUTO_UNASSIGN_MIN_GRACE_SECONDS: '1', PRESENCE_HEARTBEAT_TIMEOUT_SECONDS: '3600', LOGIN_MAX_FAILURES: '1000' } });
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

interface Candidate {
  userId: string;
  name: string;
  online: boolean;
  load: number;
  capacity: number;
  eligible: boolean;
}
interface TimelineItem {
  type: string;
  kind: string;
  summary: string;
  details?: Record<string, unknown>;
}

let fx: LifecycleFixture;
let conversationId: string;

/** Agents A..D of one inbox (least load, capacity 4, one routing rule that does not match): A holds 2, B 1, C 0, D is offline; the conversation goes to C. */
async function routedConversation(): Promise<void> {
  fx = await createLifecycleFixture(stack, {
    agents: 4,
    settings: {
      routing: {
        distribution: 'least_load',
        capacityPerAgent: 4,
        rules: [{ name: 'Refunds to the AI agent', match: 'all', conditions: [{ attribute: 'message.content', operator: 'contains', value: 'refund' }], target: { type: 'ai_agent' } }],
      },
    },
  });
  const [a, b, c] = fx.agents;
  await fx.login(a);
  for (const n of [1, 2]) await assignedTo(fx, (await fx.inbound(`ops-a-${n}`, `question ${n}`)).conversationId, a.userId);
  await fx.login(b);
  await assignedTo(fx, (await fx.inbound('ops-b-1', 'another question')).conversationId, b.userId);
  await fx.login(c);
  conversationId = (await fx.inbound('ops-target', 'Hello, my order has not arrived', { name: 'Olga Ops' })).conversationId;
  await assignedTo(fx, conversationId, c.userId);
}

test('ops opens a routed conversation: the candidates table matches the decision, the rule trace, the Temporal link', async () => {
  await routedConversation();
  const timeline = await http<{ items: TimelineItem[] }>(stack, 'GET', `/api/v1/conversations/${conversationId}/timeline`, undefined, fx.admin.token);
  expect(timeline.status).toBe(200);
  const assigned = timeline.body.items.find((i) => i.kind === 'assigned')!;
  expect(assigned).toBeDefined();
  const candidates = assigned.details!.candidates as Candidate[];
  // The fixture's loads, as the router saw them.
  expect(candidates.map((c) => [c.name, c.online, c.load])).toEqual([
    ['Agent A', true, 2],
    ['Agent B', true, 1],
    ['Agent C', true, 0],
    ['Agent D', false, 0],
  ]);
  expect(assigned.details!.assigneeId).toBe(fx.agents[2].userId);

  const me = await http<{ email: string }>(stack, 'GET', '/api/v1/auth/me', undefined, fx.admin.token);
  const context = await newContext(stack);
  const page = await context.newPage();
  await loginAs(page, stack, me.body.email, PASSWORD);
  await page.goto(`/conversations/${conversationId}/timeline`);
  await visible(page.getByRole('heading', { name: 'Timeline', level: 1 }));
  await visible(page.getByText('Hello, my order has not arrived'));
  await visible(page.getByText(/Olga Ops/));

  // The Temporal UI link points at the conversation's workflow.
  const link = page.getByRole('link', { name: 'Open workflow in Temporal UI' });
  await visible(link);
  const href = await link.getAttribute('href');
  expect(href).toBe(`${TEMPORAL_UI}/namespaces/default/workflows/conversation:${conversationId}`);
  expect(href!.endsWith(`/workflows/conversation:${conversationId}`)).toBe(true);

  // The assignment decision, expanded: one row per candidate, as recorded, the chosen one marked.
  const decision = page.getByRole('listitem', { name: 'Assigned decision' });
  await visible(decision.getByText(/assigned to Agent C: least load/));
  const why = decision.getByRole('button', { name: 'Why?' });
  expect(await why.getAttribute('aria-expanded')).toBe('false');
  await why.click();
  expect(await decision.getByRole('button', { name: 'Hide why' }).getAttribute('aria-expanded')).toBe('true');
  const table = decision.getByRole('table', { name: 'Candidate agents' });
  await visible(table);
  expect(await table.locator('thead th').allInnerTexts()).toEqual(['Agent', 'Online', 'Load', 'Capacity', 'Eligible', 'Chosen']);
  const rows = table.locator('tbody tr');
  expect(await rows.count()).toBe(candidates.length);
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i];
    const cells = (await rows.nth(i).locator('td').allTextContents()).map((t) => t.trim());
    expect(cells).toEqual([
      c.name,
      c.online ? 'online' : 'offline',
      String(c.load),
      String(c.capacity),
      expect.stringMatching(c.eligible ? /^yes/ : /^no/),
      c.userId === assigned.details!.assigneeId ? 'chosen' : '',
    ]);
  }
  expect(await table.locator('tbody tr[data-chosen]').allInnerTexts()).toEqual([expect.stringContaining('Agent C')]);
  await visible(decision.getByText('least load', { exact: true }));
  await screenshot(page, 'timeline-assigned-desktop');
  // The first screen as it is (not the full page): the README's picture of the console (docs/console-timeline.png is a copy).
  await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'console-ops-first-screen.png'), animations: 'disabled' });

  // The routing decision: the rule that did not match, its condition with the message's actual text.
  const routing = page.getByRole('listitem', { name: 'Routing decision' });
  await visible(routing.getByText(/no routing rule matched \(1 checked\)/));
  await routing.getByRole('button', { name: 'Why?' }).click();
  const conditions = routing.getByRole('table', { name: 'Conditions of rule Refunds to the AI agent' });
  await visible(conditions);
  expect((await conditions.locator('tbody tr').first().locator('td').allTextContents()).map((t) => t.trim())).toEqual([
    'message.content contains',
    'refund',
    'Hello, my order has not arrived',
    'did not hold',
  ]);
  await visible(routing.getByText('did not match', { exact: true }));
  // The raw details are there too, on request.
  await routing.getByRole('button', { name: 'Raw details' }).click();
  await visible(routing.getByLabel('Raw details'));
  expect(await routing.getByLabel('Raw details').innerText()).toContain('"rule": "Refunds to the AI agent"');

  // Administrators see the automation evaluations section (no rules here: its answer says so).
  await visible(page.getByRole('heading', { name: 'Automation rules', level: 2 }));
  await screenshot(page, 'timeline-desktop');
  await context.close();

  const phone = await newContext(stack, { viewport: PHONE });
  const small = await phone.newPage();
  await loginAs(small, stack, me.body.email, PASSWORD);
  await small.goto(`/conversations/${conversationId}/timeline`);
  const onPhone = small.getByRole('listitem', { name: 'Assigned decision' });
  await onPhone.getByRole('button', { name: 'Why?' }).click();
  await visible(onPhone.getByRole('table', { name: 'Candidate agents' }));
  await screenshot(small, 'timeline-phone');
  await phone.close();
}, 120_000);

test('a member of another inbox gets the 403 state; forcing /inboxes shows no access; another account sees "not found"', async () => {
  if (!fx) await routedConversation();
  // A member of another inbox of the same account.
  const other = await http<{ id: string }>(stack, 'POST', '/api/v1/inboxes', { name: 'Elsewhere', channelType: 'api' }, fx.admin.token);
  expect(other.status).toBe(201);
  const email = `outsider-${Date.now()}@example.com`;
  const user = await http<{ id: string }>(stack, 'POST', '/api/v1/users', { name: 'Otto Outsider', email, password: PASSWORD }, fx.admin.token);
  expect(user.status).toBe(201);
  expect((await http(stack, 'PUT', `/api/v1/inboxes/${other.body.id}/members/${user.body.id}`, { role: 'member' }, fx.admin.token)).status).toBe(200);
  const login = await http<{ token: string }>(stack, 'POST', '/api/v1/auth/login', { email, password: PASSWORD });
  const api403 = await http<{ message: string }>(stack, 'GET', `/api/v1/conversations/${conversationId}/timeline`, undefined, login.body.token);
  expect(api403.status).toBe(403);

  // Another account's administrator.
  const stranger = await signUp(stack, 'Stranger Ltd');
  expect((await http(stack, 'GET', `/api/v1/conversations/${conversationId}/timeline`, undefined, stranger.token)).status).toBe(404);

  for (const viewport of [DESKTOP, PHONE]) {
    const suffix = viewport === DESKTOP ? 'desktop' : 'phone';
    const context = await newContext(stack, { viewport });
    const page = await context.newPage();
    await loginAs(page, stack, email, PASSWORD);
    await page.goto(`/conversations/${conversationId}/timeline`);
    const refused = page.getByRole('alert');
    await visible(refused.getByRole('heading', { name: "You don't have access" }));
    await visible(refused.getByText(api403.body.message, { exact: false }));
    expect(await page.getByRole('link', { name: 'Open workflow in Temporal UI' }).count()).toBe(0);
    expect(await page.getByText('Hello, my order has not arrived').count()).toBe(0);
    await screenshot(page, `timeline-403-${suffix}`);

    await page.goto('/inboxes');
    await visible(page.getByRole('heading', { name: "You don't have access" }));
    expect(await page.getByRole('heading', { name: 'Inboxes' }).count()).toBe(0);
    await context.close();

    const strangerContext = await newContext(stack, { viewport });
    const strangerPage = await strangerContext.newPage();
    await loginAs(strangerPage, stack, stranger.email, PASSWORD);
    await strangerPage.goto(`/conversations/${conversationId}/timeline`);
    await visible(strangerPage.getByRole('heading', { name: 'Conversation not found' }));
    expect(await strangerPage.getByText('Hello, my order has not arrived').count()).toBe(0);
    expect(await strangerPage.getByRole('link', { name: 'Open workflow in Temporal UI' }).count()).toBe(0);
    await screenshot(strangerPage, `timeline-not-found-${suffix}`);
    await strangerContext.close();
  }
}, 120_000);

test('a long timeline comes in pages: "Load more" brings the rest, in order', async () => {
  if (!fx) await routedConversation();
  const { conversationId: id } = await fx.inbound('ops-long', 'A long story');
  // 120 private notes: with the message and its decisions, more than one page of 100.
  for (let i = 1; i <= 120; i++) expect((await http(stack, 'POST', `/api/v1/conversations/${id}/notes`, { content: `note number ${i}` }, fx.admin.token)).status).toBe(201);
  const me = await http<{ email: string }>(stack, 'GET', '/api/v1/auth/me', undefined, fx.admin.token);
  const context = await newContext(stack);
  const page = await context.newPage();
  await loginAs(page, stack, me.body.email, PASSWORD);
  await page.goto(`/conversations/${id}/timeline`);
  const list = page.getByRole('list', { name: 'Timeline' });
  await visible(list.getByText('A long story'));
  expect(await list.locator(':scope > li').count()).toBe(100);
  expect(await page.getByText('note number 120', { exact: true }).count()).toBe(0);
  await page.getByRole('button', { name: 'Load more' }).click();
  await visible(page.getByText('note number 120', { exact: true }));
  const all = await http<{ items: unknown[]; nextCursor: string | null }>(stack, 'GET', `/api/v1/conversations/${id}/timeline?limit=500`, undefined, fx.admin.token);
  expect(all.body.nextCursor).toBeNull();
  expect(await list.locator(':scope > li').count()).toBe(all.body.items.length);
  expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);
  const texts = await list.locator(':scope > li').allTextContents();
  expect(texts.findIndex((t) => t.includes('note number 99'))).toBeLessThan(texts.findIndex((t) => t.endsWith('note number 100')));
  // live: a note written elsewhere appears without a reload (the event stream refetches the timeline)
  expect((await http(stack, 'POST', `/api/v1/conversations/${id}/notes`, { content: 'a note written elsewhere' }, fx.admin.token)).status).toBe(201);
  await visible(list.getByText('a note written elsewhere', { exact: true }));
  await context.close();
}, 120_000);

test('an auto-unassign shows the logout and the grace period behind it', async () => {
  const GRACE = 2;
  const away = await createLifecycleFixture(stack, { agents: 2, settings: { autoUnassign: { enabled: true, graceSeconds: GRACE } } });
  const [a, b] = away.agents;
  await away.login(a);
  const { conversationId: id } = await away.inbound('ops-away', 'Anyone there?');
  await assignedTo(away, id, a.userId);
  await away.login(b);
  await away.logout(a);
  await assignedTo(away, id, b.userId, (GRACE + 15) * 1000);
  const unassigned = (await away.decisions(id)).find((d) => d.kind === 'unassigned')!;
  expect(unassigned.details).toMatchObject({ previousAssigneeId: a.userId, offlineReason: 'logout', graceSeconds: GRACE });

  const me = await http<{ email: string }>(stack, 'GET', '/api/v1/auth/me', undefined, away.admin.token);
  const context = await newContext(stack);
  const page = await context.newPage();
  await loginAs(page, stack, me.body.email, PASSWORD);
  await page.goto(`/conversations/${id}/timeline`);
  const decision = page.getByRole('listitem', { name: 'Unassigned decision' });
  await visible(decision.getByText(/^unassigned from Agent A: logged out at/));
  await decision.getByRole('button', { name: 'Why?' }).click();
  const since = new Date(String(unassigned.details!.offlineSince));
  const why = decision.getByRole('region', { name: 'Why: Unassigned' });
  await visible(why.getByText('Previous assignee'));
  // The names and times the page shows, in the browser's locale (as the page formats them).
  const [sinceText, untilText] = await page.evaluate(
    ([s, u]) => [new Date(s).toLocaleString(), new Date(u).toLocaleString()],
    [since.toISOString(), new Date(since.getTime() + GRACE * 1000).toISOString()],
  );
  const facts = (await why.locator('dl > *').allTextContents()).map((t) => t.trim());
  expect(facts).toEqual(['Previous assignee', 'Agent A', 'Went offline', `logged out at ${sinceText}`, 'Grace period', `${GRACE} s (until ${untilText})`]);
  // The reassignment after it: Agent A offline, Agent B chosen.
  const reassigned = page.getByRole('listitem', { name: 'Assigned decision' }).last();
  await reassigned.getByRole('button', { name: 'Why?' }).click();
  const rows = reassigned.getByRole('table', { name: 'Candidate agents' }).locator('tbody tr');
  // The why opens on the click; its table is there a moment later (allTextContents does not wait).
  await visible(rows.nth(0).locator('td').nth(1));
  expect((await rows.nth(0).locator('td').allTextContents()).slice(0, 2)).toEqual(['Agent A', 'offline']);
  expect(await reassigned.locator('tbody tr[data-chosen]').allTextContents()).toEqual([expect.stringContaining('Agent B')]);
  await screenshot(page, 'timeline-unassigned-desktop');
  await context.close();
}, 120_000);
