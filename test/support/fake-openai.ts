/**
 * A stand-in for the OpenAI API in tests: a node:http server on 127.0.0.1 that answers
 * POST /v1/chat/completions in the real response shape and records every request body.
 * Point the app at it with OPENAI_BASE_URL=<baseUrl> (baseUrl ends in /v1).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A chat completions request as the fake received it (the parsed JSON body). */
export interface FakeOpenAiRequestBody {
  model: string;
  messages: Array<{ role: string; content: string }>;
  temperature?: number;
  max_tokens?: number;
  [key: string]: unknown;
}

export interface FakeOpenAiReply {
  /** The assistant's text (default "OK"). */
  content?: string;
  /** Anything other than 200 answers an OpenAI-style error body. */
  status?: number;
  /** Wait this long before answering (to exceed the client's timeout). */
  delayMs?: number;
}

export interface FakeOpenAi {
  baseUrl: string;
  requests: Array<{ body: FakeOpenAiRequestBody; headers: http.IncomingHttpHeaders }>;
  respondWith(fn: (body: FakeOpenAiRequestBody) => FakeOpenAiReply): void;
  close(): Promise<void>;
}

export async function startFakeOpenAi(): Promise<FakeOpenAi> {
  let respond: (body: FakeOpenAiRequestBody) => FakeOpenAiReply = () => ({ content: 'OK' });
  const requests: FakeOpenAi['requests'] = [];
  const timers = new Set<NodeJS.Timeout>();
  let completions = 0;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (status: number, payload: unknown) => {
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': `req_fake_${completions}` });
        res.end(JSON.stringify(payload));
      };
      if (req.method !== 'POST' || req.url?.split('?')[0] !== '/v1/chat/completions') {
        send(404, { error: { message: `no route ${req.method} ${req.url}`, type: 'invalid_request_error', param: null, code: null } });
        return;
      }
      let body: FakeOpenAiRequestBody;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as FakeOpenAiRequestBody;
      } catch {
        send(400, { error: { message: 'body is not JSON', type: 'invalid_request_error', param: null, code: null } });
        return;
      }
      requests.push({ body, headers: req.headers });
      const reply = respond(body);
      const answer = () => {
        const status = reply.status ?? 200;
        if (status !== 200) {
          send(status, { error: { message: `fake error ${status}`, type: 'server_error', param: null, code: null } });
          return;
        }
        completions += 1;
        const content = reply.content ?? 'OK';
        send(200, {
          id: `chatcmpl-fake-${completions}`,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: body.model,
          choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' }],
          usage: { prompt_tokens: 10, completion_tokens: Math.max(1, content.split(/\s+/).length), total_tokens: 10 + Math.max(1, content.split(/\s+/).length) },
          system_fingerprint: 'fp_fake',
        });
      };
      if (reply.delayMs) {
        const t = setTimeout(() => {
          timers.delete(t);
          answer();
        }, reply.delayMs);
        timers.add(t);
      } else {
        answer();
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    respondWith(fn) {
      respond = fn;
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
