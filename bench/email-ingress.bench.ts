/**
 * npm run bench:ingress
 *
 * The SMTP ingress of the forwarding addresses end to end: the API (in this process, on a throwaway
 * embedded PostgreSQL and an in-memory Temporal dev server) takes BENCH_MAILS mails (default 1000)
 * sent with nodemailer over BENCH_CONNECTIONS pooled SMTP connections (default 8) to one email
 * inbox's forwarding address: each mail a new Message-ID from one of 50 senders, so a new
 * conversation (or a reply into a sender's thread) per mail, through the one inbound path (contact,
 * conversation, message, the conversation workflow signalled). Then the same mails again (all
 * duplicates, stored nothing). Per phase: mails/s, SMTP latency (send -> 250) p50/p95/p99/max, and
 * that the database holds each Message-ID exactly once. No worker runs: workflows are started and
 * signalled (as the ingress does), not executed. Prints one JSON document; progress on stderr.
 */
import * as os from 'node:os';
import nodemailer from 'nodemailer';
import { SmtpIngressServer } from '../src/modules/channels/email/ingress/smtp-ingress.server';
import { signUp } from './support/accounts';
import { distribution, round } from './support/distribution';
import { json } from './support/http';
import { log, runBench } from './support/run';
import { positiveNumber } from './support/settings';
import { BenchStack } from './support/stack';

const MAILS = positiveNumber('BENCH_MAILS', 1000);
const CONNECTIONS = positiveNumber('BENCH_CONNECTIONS', 8);
const RUN = `b${Date.now().toString(36)}`;

async function phase(name: string, port: number, raws: { to: string; raw: string }[]) {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool: true, maxConnections: CONNECTIONS, maxMessages: Infinity });
  const latencies: number[] = [];
  let failed = 0;
  const started = performance.now();
  let next = 0;
  const senders = Array.from({ length: CONNECTIONS }, async () => {
    while (next < raws.length) {
      const m = raws[next++];
      const t = performance.now();
      try {
        await transport.sendMail({ envelope: { from: 'mta@forwarder.test', to: m.to }, raw: m.raw });
        latencies.push(performance.now() - t);
      } catch (err) {
        failed += 1;
        log(`${name}: ${(err as Error).message}`);
      }
    }
  });
  await Promise.all(senders);
  const seconds = (performance.now() - started) / 1000;
  transport.close();
  log(`${name}: ${raws.length} mails in ${seconds.toFixed(1)} s`);
  return { mails: raws.length, failed, seconds: round(seconds, 2), mailsPerSecond: round(raws.length / seconds, 1), smtpLatencyMs: distribution(latencies) };
}

async function ingressBench() {
  const stack = new BenchStack('email-ingress');
  try {
    await stack.startPostgres();
    await stack.startTemporal({ inMemory: true });
    const env = stack.serviceEnv({ TEMPORAL_TASK_QUEUE: `bench-ingress-${RUN}`, LOG_LEVEL: 'error', NODE_ENV: 'production', INBOUND_EMAIL_DOMAIN: 'inbound.bench.test' });
    const { app, base } = await stack.startApi(env);
    const port = app.get(SmtpIngressServer).port!;
    const { token } = await signUp(base, 'Ingress bench', `ingress-bench-${Date.now()}@example.com`);
    const inbox = await json<{ id: string }>(base, 'POST', '/api/v1/inboxes', token, { name: 'Forwarded', channelType: 'email' });
    const { address } = await json<{ address: string }>(base, 'GET', `/api/v1/inboxes/${inbox.id}/email-channel/forwarding`, token);
    log(`ingress on 127.0.0.1:${port}, forwarding address ${address}`);

    const raws = Array.from({ length: MAILS }, (_, i) => ({
      to: address,
      raw: [
        `From: Customer ${i % 50} <customer-${i % 50}@customer.test>`,
        `To: ${address}`,
        `Subject: Order ${i}`,
        `Message-ID: <${RUN}.${i}@customer.test>`,
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        '',
        `Hello, where is order ${i}? ${'Some more words of a typical support mail. '.repeat(20)}`,
        '',
      ].join('\r\n'),
    }));
    const fresh = await phase('new mails', port, raws);
    const repeated = await phase('the same mails again', port, raws);

    const db = await stack.database();
    const { rows } = await db.query<{ stored: number; distinct: number }>(
      `select count(*)::int as stored, count(distinct m.email_message_id)::int as distinct from messages m join conversations c on c.id = m.conversation_id where c.inbox_id = $1`,
      [inbox.id],
    );
    const view = await json<{ receivedCount: number }>(base, 'GET', `/api/v1/inboxes/${inbox.id}/email-channel/forwarding`, token);
    return {
      bench: 'email-ingress',
      machine: { cpus: os.cpus().length, loadAverage: os.loadavg().map((l) => round(l, 2)) },
      settings: { mails: MAILS, connections: CONNECTIONS, bytesPerMail: Buffer.byteLength(raws[0].raw) },
      newMails: fresh,
      duplicates: repeated,
      stored: rows[0].stored,
      storedExactlyOnce: rows[0].stored === MAILS && rows[0].distinct === MAILS,
      receivedCount: view.receivedCount,
    };
  } finally {
    await stack.stop();
  }
}

runBench(ingressBench);
