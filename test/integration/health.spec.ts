/** GET /health reports PostgreSQL and Temporal reachability, naming the failing part with 503. */
import { freePort } from '../../src/local-stack/free-port';
import { http, signUp, startTestStack } from '../support/test-stack';

interface Health {
  status: string;
  message?: string;
  database: { status: string; error?: string };
  temporal: { status: string; error?: string };
}

test('200 when both are reachable', async () => {
  const stack = await startTestStack({ worker: false });
  try {
    const res = await http<Health>(stack, 'GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', database: { status: 'up' }, temporal: { status: 'up' } });
  } finally {
    await stack.close();
  }
});

test('503 naming Temporal when it is unreachable; the API still starts and stores nothing half-done', async () => {
  const deadPort = await freePort();
  const stack = await startTestStack({ worker: false, env: { TEMPORAL_ADDRESS: `127.0.0.1:${deadPort}` } });
  try {
    const res = await http<Health>(stack, 'GET', '/health');
    expect(res.status).toBe(503);
    expect(res.body.message).toBe('unreachable: temporal');
    expect(res.body.database).toEqual({ status: 'up' });
    expect(res.body.temporal.status).toBe('down');

    // An inbound message is kept (it is the customer's) and the 503 says how to finish the job.
    const { token } = await signUp(stack, 'Offline');
    const inbox = await http<{ id: string }>(stack, 'POST', '/api/v1/inboxes', { name: 'i', channelType: 'api' }, token);
    const inbound = await http<{ code: string; message: string }>(
      stack,
      'POST',
      `/api/v1/inboxes/${inbox.body.id}/inbound-messages`,
      { contact: { sourceId: 'offline-1' }, content: 'are you there?', externalId: 'offline-msg-1' },
      token,
    );
    expect(inbound.status).toBe(503);
    expect(inbound.body.code).toBe('DEPENDENCY_UNAVAILABLE');
    expect(inbound.body.message).toMatch(/retry with the same externalId/);
  } finally {
    await stack.close();
  }
});

test('503 naming the database when PostgreSQL is unreachable', async () => {
  const deadPort = await freePort();
  const stack = await startTestStack({ worker: false, env: { DATABASE_URL: `postgres://postgres:postgres@127.0.0.1:${deadPort}/nothing` } });
  try {
    const res = await http<Health>(stack, 'GET', '/health');
    expect(res.status).toBe(503);
    expect(res.body.message).toBe('unreachable: database');
    expect(res.body.temporal).toEqual({ status: 'up' });
    expect(res.body.database.status).toBe('down');
  } finally {
    await stack.close();
  }
});

test('OpenAPI is served at /api/docs, the console at / and the console settings name the Temporal UI', async () => {
  const stack = await startTestStack({ worker: false, env: { TEMPORAL_UI_URL: 'http://127.0.0.1:8233' } });
  try {
    const docs = await fetch(`${stack.baseUrl}/api/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger');
    const spec = await http<{ paths: Record<string, unknown> }>(stack, 'GET', '/api/docs-json');
    expect(Object.keys(spec.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/inboxes/{inboxId}/inbound-messages', '/api/v1/conversations/{id}', '/health', '/api/v1/console-config']),
    );
    const page = await fetch(`${stack.baseUrl}/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    // The built console (npm run build; the test setup builds it) or the page saying it is not built.
    expect(await page.text()).toMatch(/<div id="root"><\/div>|console not built/);
    const { token } = await signUp(stack);
    const settings = await http(stack, 'GET', '/api/v1/console-config', undefined, token);
    expect(settings).toEqual({ status: 200, body: { temporalUiUrl: 'http://127.0.0.1:8233', temporalNamespace: stack.config.temporal.namespace } });
    expect((await http(stack, 'GET', '/api/v1/console-config')).status).toBe(401);
  } finally {
    await stack.close();
  }
});
