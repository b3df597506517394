/**
 * A stand-in for the Twilio REST API in tests: a node:http server on 127.0.0.1 that answers
 * POST /2010-04-01/Accounts/{AccountSid}/Messages.json in the real response shape (or a scripted
 * Twilio error), lists the messages it created on GET of the same path (To/From filters, newest
 * first, Twilio's page shape), and records every request: method, path, headers and form or query fields.
 * `stallNext` makes creates accepted (in the log) but never answered: a provider call the worker dies in.
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
  /** Every MediaUrl of a create (the form keeps only the last of a repeated field). */
  mediaUrls: string[];
  /** When it arrived (epoch ms). */
  at: number;
  /** The SID of the message a create made. */
  sid?: string;
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
  /** The next `n` creates whose Body starts with `bodyPrefix` are accepted (listed) but never answered. */
  stallNext(n: number, bodyPrefix: string): void;
  /** Creates accepted and left unanswered by `stallNext`: their SID and form. */
  stalled: { sid: string; form: Record<string, string> }[];
  close(): Promise<void>;
}

const MESSAGES = /^\/2010-04-01\/Accounts\/(AC[0-9a-fA-F]{32})\/Messages\.json$/;

export async function startFakeTwilio(): Promise<FakeTwilio> {
  const requests: FakeTwilioRequest[] = [];
  const sids: string[] = [];
  const script: FakeTwilioAnswer[] = [];
  const stall = { n: 0, bodyPrefix: '' };
  const stalled: { sid: string; form: Record<string, string> }[] = [];
  /** Created messages in Twilio's resource shape, oldest first. */
  const log: Record<string, unknown>[] = [];

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const [path, query = ''] = (req.url ?? '').split('?');
      const params = new URLSearchParams(req.method === 'GET' ? query : Buffer.concat(chunks).toString('utf8'));
      const form = Object.fromEntries(params);
      const record: FakeTwilioRequest = { method: req.method ?? '', path, headers: req.headers, form, mediaUrls: params.getAll('MediaUrl'), at: Date.now() };
      requests.push(record);
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      const match = MESSAGES.exec(path);
      if (req.method === 'GET' && match) {
        const pageSize = Number(form.PageSize ?? 50);
        const found = log.filter((m) => (!form.To || m.to === form.To) && (!form.From || m.from === form.From)).reverse().slice(0, pageSize);
        send(200, {
          messages: found,
          end: found.length - 1,
          first_page_uri: `${path}?PageSize=${pageSize}&Page=0`,
          next_page_uri: null,
          page: 0,
          page_size: pageSize,
          previous_page_uri: null,
          start: 0,
          uri: `${path}?PageSize=${pageSize}&Page=0`,
        });
        return;
      }
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
      record.sid = sid;
      const now = new Date().toUTCString();
      const created = {
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
      };
      log.push(created);
      if (stall.n > 0 && (form.Body ?? '').startsWith(stall.bodyPrefix)) {
        // Accepted, never answered: the request hangs until the client gives up or dies.
        stall.n -= 1;
        stalled.push({ sid, form });
        return;
      }
      send(201, created);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    sids,
    answerNext: (...answers) => script.push(...answers),
    stallNext: (n, bodyPrefix) => {
      stall.n = n;
      stall.bodyPrefix = bodyPrefix;
    },
    stalled,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
