/**
 * A stand-in for the Twilio REST API in tests: a node:http server on 127.0.0.1 that answers
 * POST /2010-04-01/Accounts/{AccountSid}/Messages.json in the real response shape (or a scripted
 * Twilio error) and records every request: method, path, headers and the form fields.
 * Point the app at it with TWILIO_API_BASE_URL=<baseUrl>; the official client does the rest.
 */
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeTwilioRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  form: Record<string, string>;
}

export interface FakeTwilioAnswer {
  /** HTTP status; 201 (the default) answers a created message. */
  status?: number;
  /** Twilio error code in the error body, e.g. 21211. */
  code?: number;
  message?: string;
}

export interface FakeTwilio {
  baseUrl: string;
  requests: FakeTwilioRequest[];
  /** Message SIDs the fake handed out, in order. */
  sids: string[];
  /** The next calls answer these, in order; then created messages again. */
  answerNext(...answers: FakeTwilioAnswer[]): void;
  close(): Promise<void>;
}

const MESSAGES = /^\/2010-04-01\/Accounts\/(AC[0-9a-fA-F]{32})\/Messages\.json$/;

export async function startFakeTwilio(): Promise<FakeTwilio> {
  const requests: FakeTwilioRequest[] = [];
  const sids: string[] = [];
  const script: FakeTwilioAnswer[] = [];

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0];
      const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      requests.push({ method: req.method ?? '', path, headers: req.headers, form });
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      const match = MESSAGES.exec(path);
      if (req.method !== 'POST' || !match) {
        send(404, { code: 20404, message: `The requested resource ${path} was not found`, more_info: 'https://www.twilio.com/docs/errors/20404', status: 404 });
        return;
      }
      const answer = script.shift() ?? {};
      const status = answer.status ?? 201;
      if (status >= 300) {
        send(status, {
          code: answer.code ?? status * 100,
          message: answer.message ?? `fake error ${status}`,
          more_info: `https://www.twilio.com/docs/errors/${answer.code ?? status * 100}`,
          status,
        });
        return;
      }
      const sid = `SM${randomBytes(16).toString('hex')}`;
      sids.push(sid);
      const now = new Date().toUTCString();
      send(201, {
        sid,
        account_sid: match[1],
        api_version: '2010-04-01',
        body: form.Body ?? '',
        date_created: now,
        date_updated: now,
        date_sent: null,
        direction: 'outbound-api',
        error_code: null,
        error_message: null,
        from: form.From ?? null,
        messaging_service_sid: form.MessagingServiceSid ?? null,
        num_media: '0',
        num_segments: '1',
        price: null,
        price_unit: 'USD',
        status: 'queued',
        subresource_uris: { media: `/2010-04-01/Accounts/${match[1]}/Messages/${sid}/Media.json` },
        to: form.To,
        uri: `/2010-04-01/Accounts/${match[1]}/Messages/${sid}.json`,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    sids,
    answerNext: (...answers) => script.push(...answers),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
