/**
 * The webhook events of issue 14 beyond conversations and messages (webhooks.spec.ts covers those):
 * CSAT received, campaign started / completed, contact created / updated / deleted. Each arrives at a
 * local receiver through the real pipeline (triggers at commit, the dispatcher, the endpoint's delivery
 * workflow on the real Temporal) and is verified with the official `standardwebhooks` package, as a
 * receiver would.
 */
import { Webhook } from 'standardwebhooks';
import { eventually, http, signUp, startTestStack, type TestStack } from '../support/test-stack';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

const ENV = { WEBHOOK_RETRY_SCALE: '0.0005', WEBHOOK_TIMEOUT_MS: '2000', WEBHOOK_SWEEP_SECONDS: '2' };

interface Event {
  type: string;
  timestamp: string;
  data: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

let stack: TestStack;
let receiver: WebhookReceiver;

beforeAll(async () => {
  stack = await startTestStack({ env: ENV });
  receiver = await startWebhookReceiver();
}, 120_000);
afterAll(async () => {
  await stack?.close();
  await receiver?.close();
});

let n = 0;
/**
 * A fresh account with one endpoint on its own receiver path (no event filter: every type); `events`
 * answers what arrived there, each verified with standardwebhooks (a bad signature throws), in the
 * order of their timestamps.
 */
async function account(name: string, eventTypes: string[] = []) {
  const owner = await signUp(stack, name);
  const path = `/events-${++n}-${Date.now()}`;
  const created = await http<{ id: string; secret: string }>(stack, 'POST', '/api/v1/webhook-endpoints', { url: receiver.url + path, eventTypes }, owner.token);
  expect(created.status).toBe(201);
  const hook = new Webhook(created.body.secret);
  // Events without a conversation carry no sequence and may arrive in any order: read in event time.
  const events = () =>
    receiver.received
      .filter((r) => r.path === path)
      .map((r) => hook.verify(r.body, r.headers) as Event)
      .sort((x, y) => (x.timestamp < y.timestamp ? -1 : x.timestamp > y.timestamp ? 1 : 0));
  const waitFor = (what: string, probe: (e: Event[]) => boolean, timeoutMs = 20_000) =>
    eventually(async () => {
      const e = events();
      return probe(e) ? e : undefined;
    }, timeoutMs, what);
  const api = <T>(method: string, p: string, body?: unknown) => http<T>(stack, method, p, body, owner.token);
  return { owner, api, events, waitFor };
}
const ofType = (events: Event[], type: string) => events.filter((e) => e.type === type);

test('csat.received: a rating through the survey link, and a changed rating, each arrive with the rating', async () => {
  const a = await account('CSAT events');
  const inbox = await a.api<{ id: string }>('POST', '/api/v1/inboxes', { name: 'Support', channelType: 'api', settings: { routing: { humanAgentsEnabled: false } } });
  const conv = await a.api<{ conversationId: string }>('POST', `/api/v1/inboxes/${inbox.body.id}/inbound-messages`, { contact: { sourceId: `csat-${Date.now()}`, name: 'Rita Rater' }, content: 'help' });
  expect(conv.status).toBe(201);
  const survey = await a.api<{ id: string; url: string }>('POST', `/api/v1/conversations/${conv.body.conversationId}/csat-survey`, {});
  expect(survey.status).toBe(201);
  const path = new URL(survey.body.url).pathname;
  expect((await http(stack, 'POST', path, { rating: 4, comment: 'Quick' })).status).toBe(200);
  expect((await http(stack, 'POST', path, { rating: 5 })).status).toBe(200);

  const events = await a.waitFor('two csat.received', (e) => ofType(e, 'csat.received').length >= 2);
  const csat = ofType(events, 'csat.received');
  expect(csat.map((e) => e.data.change)).toEqual([
    expect.objectContaining({ surveyId: survey.body.id, rating: 4, previousRating: null, via: 'link' }),
    expect.objectContaining({ surveyId: survey.body.id, rating: 5, previousRating: 4, via: 'link' }),
  ]);
  expect(csat[0].data.conversation).toMatchObject({ id: conv.body.conversationId, inboxId: inbox.body.id });
  // Conversation events carry the conversation's sequence: the ratings come after the conversation's creation.
  const created = ofType(events, 'conversation.created')[0];
  expect(csat[0].data.sequence).toBeGreaterThan(created.data.sequence);
});

async function campaignSetup(name: string) {
  const a = await account(name);
  const inbox = await a.api<{ id: string }>('POST', '/api/v1/inboxes', { name: 'Announcements', channelType: 'api' });
  const contacts: string[] = [];
  for (const who of ['Ann', 'Ben']) {
    const c = await a.api<{ id: string }>('POST', '/api/v1/contacts', { name: who, email: `${who.toLowerCase()}-${Date.now()}@example.com` });
    expect(c.status).toBe(201);
    contacts.push(c.body.id);
  }
  const create = (extra: Record<string, unknown> = {}) =>
    a.api<{ id: string; status: string; startedAt: string | null }>('POST', '/api/v1/campaigns', {
      name: 'Spring news',
      type: 'notification',
      inboxId: inbox.body.id,
      audience: { contactIds: contacts },
      template: 'Hello {{contact.name}}',
      ...extra,
    });
  return { ...a, inboxId: inbox.body.id, create };
}

test('campaign.started then campaign.completed, once each, with the campaign', async () => {
  const a = await campaignSetup('Campaign events');
  const campaign = await a.create();
  expect(campaign.status).toBe(201);
  expect((await a.api('POST', `/api/v1/campaigns/${campaign.body.id}/start`)).status).toBe(200);
  const events = await a.waitFor('campaign.completed', (e) => ofType(e, 'campaign.completed').length > 0, 60_000);
  await new Promise((r) => setTimeout(r, 1000)); // nothing more comes
  const campaignEvents = a.events().filter((e) => e.type.startsWith('campaign.'));
  expect(campaignEvents.map((e) => e.type)).toEqual(['campaign.started', 'campaign.completed']);
  expect(campaignEvents[0].data.campaign).toMatchObject({ id: campaign.body.id, name: 'Spring news', inboxId: a.inboxId, type: 'notification', status: 'running', audienceTotal: 2 });
  expect(campaignEvents[0].data.campaign.startedAt).not.toBeNull();
  expect(campaignEvents[1].data.campaign).toMatchObject({ id: campaign.body.id, status: 'completed', audienceTotal: 2 });
  expect(campaignEvents[1].data.campaign.finishedAt).not.toBeNull();
  // Each recipient's message is a message.created on its conversation.
  expect(ofType(events, 'message.created').filter((e) => e.data.message.content.startsWith('Hello ')).map((e) => e.data.message.content).sort()).toEqual(['Hello Ann', 'Hello Ben']);
});

test('a campaign paused before its schedule came: campaign.started still arrives when the run begins (paused), once; completed after the resume', async () => {
  const a = await campaignSetup('Paused campaign events');
  const campaign = await a.create({ scheduledAt: new Date(Date.now() + 3000).toISOString() });
  expect(campaign.status).toBe(201);
  expect((await a.api('POST', `/api/v1/campaigns/${campaign.body.id}/start`)).status).toBe(200);
  expect((await a.api<{ status: string }>('POST', `/api/v1/campaigns/${campaign.body.id}/pause`)).body.status).toBe('paused');
  await eventually(async () => ((await a.api<{ startedAt: string | null }>('GET', `/api/v1/campaigns/${campaign.body.id}`)).body.startedAt ? true : undefined), 30_000, 'the run began');
  const started = await a.waitFor('campaign.started', (e) => ofType(e, 'campaign.started').length > 0);
  expect(ofType(started, 'campaign.started')[0].data.campaign).toMatchObject({ id: campaign.body.id, status: 'paused' });
  expect((await a.api('POST', `/api/v1/campaigns/${campaign.body.id}/resume`)).status).toBe(200);
  await a.waitFor('campaign.completed', (e) => ofType(e, 'campaign.completed').length > 0, 60_000);
  await new Promise((r) => setTimeout(r, 1000));
  expect(a.events().filter((e) => e.type.startsWith('campaign.')).map((e) => e.type)).toEqual(['campaign.started', 'campaign.completed']);
});

test('contact.created / updated / deleted: by the API, by a first inbound message, and by a merge (the merged-away contact is deleted)', async () => {
  const a = await account('Contact events', ['contact.created', 'contact.updated', 'contact.deleted']);
  const carla = await a.api<{ id: string }>('POST', '/api/v1/contacts', { name: 'Carla', email: `carla-${Date.now()}@example.com` });
  expect(carla.status).toBe(201);
  expect((await a.api('PATCH', `/api/v1/contacts/${carla.body.id}`, { name: 'Carla C.', phone: '+15550001111' })).status).toBe(200);

  const inbox = await a.api<{ id: string }>('POST', '/api/v1/inboxes', { name: 'Chat', channelType: 'api' });
  const inbound = await a.api<{ contactId: string }>('POST', `/api/v1/inboxes/${inbox.body.id}/inbound-messages`, { contact: { sourceId: `dave-${Date.now()}`, name: 'Dave' }, content: 'hi' });
  expect(inbound.status).toBe(201);
  const dave = inbound.body.contactId;

  expect((await a.api('POST', `/api/v1/contacts/${carla.body.id}/merge`, { otherContactId: dave })).status).toBe(200);
  const erin = await a.api<{ id: string }>('POST', '/api/v1/contacts', { name: 'Erin' });
  expect((await a.api('DELETE', `/api/v1/contacts/${erin.body.id}`)).status).toBe(204);

  const events = await a.waitFor('the contact events', (e) => ofType(e, 'contact.deleted').length >= 2);
  const about = (id: string) => events.filter((e) => e.data.contact.id === id).map((e) => e.type);
  expect(about(carla.body.id).slice(0, 2)).toEqual(['contact.created', 'contact.updated']);
  expect(events.find((e) => e.type === 'contact.updated' && e.data.contact.id === carla.body.id)!.data.contact).toMatchObject({ name: 'Carla C.', phone: '+15550001111' });
  expect(about(dave)).toEqual(['contact.created', 'contact.deleted']);
  expect(events.find((e) => e.type === 'contact.created' && e.data.contact.id === dave)!.data.contact).toMatchObject({ name: 'Dave' });
  expect(about(erin.body.id)).toEqual(['contact.created', 'contact.deleted']);
  expect(events.find((e) => e.type === 'contact.deleted' && e.data.contact.id === erin.body.id)!.data).toEqual({ contact: { id: erin.body.id } });
  // Only the chosen types: no conversation or message events reach this endpoint.
  expect(events.every((e) => e.type.startsWith('contact.'))).toBe(true);
});
