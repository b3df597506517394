/**
 * Where the campaigns bench's SMS go: a node:http server on 127.0.0.1 that takes what the official
 * `twilio` client POSTs to /2010-04-01/Accounts/{AccountSid}/Messages.json (the product points it
 * here with TWILIO_API_BASE_URL), answers 201 with a queued message in Twilio's shape, and counts
 * the sends with their arrival time. Throughput only: anything else is a 404.
 */
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SinkedMessage {
  to: string;
  body: string;
  /** When the POST arrived (epoch ms). */
  at: number;
}

export interface TwilioSink {
  baseUrl: string;
  /** Every accepted send, in order of arrival. */
  messages: SinkedMessage[];
  close(): Promise<void>;
}

const MESSAGES = /^\/2010-04-01\/Accounts\/(AC[0-9a-fA-F]{32})\/Messages\.json$/;

export async function startTwilioSink(): Promise<TwilioSink> {
  const messages: SinkedMessage[] = [];
  const server = http.createServer((req, res) => {
    const at = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const account = MESSAGES.exec((req.url ?? '').split('?')[0])?.[1];
      if (req.method !== 'POST' || !account) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 20404, message: `The requested resource ${req.url} was not found`, status: 404 }));
        return;
      }
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const message = { to: form.get('To') ?? '', body: form.get('Body') ?? '', at };
      messages.push(message);
      const sid = `SM${randomBytes(16).toString('hex')}`;
      const now = new Date(at).toUTCString();
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          sid,
          account_sid: account,
          api_version: '2010-04-01',
          to: message.to,
          from: form.get('From'),
          body: message.body,
          status: 'queued',
          direction: 'outbound-api',
          date_created: now,
          date_updated: now,
          uri: `/2010-04-01/Accounts/${account}/Messages/${sid}.json`,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    messages,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
