/**
 * An API and a worker for one test file, in this process, against the run's shared PostgreSQL and
 * Temporal (see test/setup/global-setup.ts). Each stack gets its own task queue.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createApiApp } from '../../src/app.factory';
import { loadConfig, requireServices, type ServiceConfig } from '../../src/config/config';
import { createWorkers, type WorkflowBundles } from '../../src/worker/worker.factory';
import { WorkerModule } from '../../src/worker/worker.module';
import { testWorkflowBundles } from './workflow-bundles';

let runtimeInstalled = false;

export interface TestStack {
  baseUrl: string;
  config: ServiceConfig;
  /** The environment the stack's configuration was read from (a replica starts from it). */
  env: Record<string, string | undefined>;
  api: INestApplication;
  temporal: Client;
  /** Shuts the in-process worker down gracefully (running tasks finish first); no-op when none runs. */
  stopWorker(): Promise<void>;
  /**
   * Starts a new in-process worker on the stack's task queue (after stopWorker, or with `worker: false`),
   * with the run's workflow bundles or the given ones (e.g. an older version of the workflow code).
   */
  startWorker(bundles?: Partial<WorkflowBundles>): Promise<void>;
  close(): Promise<void>;
}

export interface TestStackOptions {
  env?: Record<string, string>;
  /** false: only the API (e.g. to check behaviour while no worker runs). */
  worker?: boolean;
}

export async function startTestStack(opts: TestStackOptions = {}): Promise<TestStack> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
    runtimeInstalled = true;
  }
  const env: Record<string, string | undefined> = {
    ...process.env,
    TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`,
    TEMPORAL_CAMPAIGN_TASK_QUEUE: `test-campaigns-${randomUUID()}`,
    TEMPORAL_WEBHOOK_TASK_QUEUE: `test-webhooks-${randomUUID()}`,
    LOG_LEVEL: 'error',
    // Test files sign up many accounts from 127.0.0.1 into one database; sign-up-limits.spec.ts lowers it.
    SIGNUP_MAX_PER_HOUR: '1000000',
    USER_CREATE_MAX_PER_HOUR: '1000000',
    // The protocol peers of the tests (dovecot, smtp-server, fakes) listen on 127.0.0.1; the SSRF
    // tests start a stack with 'false' to see the outbound-address guard refuse them.
    OUTBOUND_ALLOW_PRIVATE_TARGETS: 'true',
    // The SMTP ingress of the forwarding addresses on a free port per stack (several test files run at once).
    SMTP_INGRESS_PORT: '0',
    ...opts.env,
  };
  const config = requireServices(loadConfig(env));
  const api = await createApiApp(config);
  await api.listen(0, '127.0.0.1');
  const baseUrl = await api.getUrl();

  let running: { stop(): Promise<void> } | undefined;
  const startWorker = async (bundles: Partial<WorkflowBundles> = {}) => {
    if (running) throw new Error('a worker already runs in this test stack');
    const workerContext: INestApplicationContext = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: ['error'], abortOnError: false });
    // The worker process's workers (conversations and campaigns task queues), as src/worker/worker.ts builds them.
    const workers = await createWorkers(workerContext, config, { bundles: { ...testWorkflowBundles(), ...bundles } }).catch(async (err) => {
      await workerContext.close();
      throw err;
    });
    const run = workers.run();
    running = {
      async stop() {
        workers.shutdown();
        await run;
        await workers.close();
        await workerContext.close();
      },
    };
  };
  const stopWorker = async () => {
    const current = running;
    running = undefined;
    await current?.stop();
  };
  if (opts.worker !== false) {
    // A worker that cannot start must not leave the API listening (jest would never exit).
    await startWorker().catch(async (err) => {
      await api.close();
      throw err;
    });
  }

  const connection = Connection.lazy({ address: config.temporal.address });
  const temporal = new Client({ connection, namespace: config.temporal.namespace });

  return {
    baseUrl: baseUrl.replace('[::1]', '127.0.0.1'),
    config,
    env,
    api,
    temporal,
    stopWorker,
    startWorker,
    async close() {
      await stopWorker();
      await connection.close();
      await api.close();
    },
  };
}

export interface ApiReplica {
  baseUrl: string;
  config: ServiceConfig;
  api: INestApplication;
  close(): Promise<void>;
}

/**
 * A second API process's worth of app on the stack's database and Temporal (same task queues), on its
 * own port: what another replica behind a load balancer is. `env` overrides settings of this replica only.
 */
export async function startApiReplica(stack: TestStack, env: Record<string, string> = {}): Promise<ApiReplica> {
  const config = requireServices(loadConfig({ ...stack.env, ...env }));
  const api = await createApiApp(config);
  await api.listen(0, '127.0.0.1');
  const baseUrl = (await api.getUrl()).replace('[::1]', '127.0.0.1');
  return { baseUrl, config, api, close: () => api.close() };
}

/** JSON over HTTP against a test stack. */
export async function http<T = unknown>(
  stack: { baseUrl: string },
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(stack.baseUrl + path, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Polls until `probe` returns a value that is not undefined, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

let signUps = 0;

/** A new account with its administrator; returns the admin's session token. */
export async function signUp(stack: { baseUrl: string }, name = 'Test account'): Promise<{ token: string; accountId: string; userId: string; email: string }> {
  signUps += 1;
  const email = `admin-${Date.now()}-${signUps}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const res = await http<{ token: string; account: { id: string }; user: { id: string } }>(stack, 'POST', '/api/v1/accounts', {
    name,
    admin: { name: 'Admin', email, password: 'correct horse battery' },
  });
  if (res.status !== 201) throw new Error(`sign-up failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { token: res.body.token, accountId: res.body.account.id, userId: res.body.user.id, email };
}
