/**
 * A real SMTP server for tests (the `smtp-server` package) on 127.0.0.1: it takes what nodemailer
 * sends, records the envelope and the raw message (parsed with mailparser for assertions), and can
 * require a login. STARTTLS is off (plain SMTP, as the channel's smtpSecure=false expects). Every login
 * attempt is recorded (user and password), so a test can also play a server that collects passwords.
 */
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort } from '../../src/local-stack/free-port';

export interface ReceivedMail {
  from: string | null;
  to: string[];
  raw: Buffer;
  parsed: ParsedMail;
  /** Raw header lines by lower-cased name (first occurrence). */
  header(name: string): string | undefined;
}

export interface SmtpReceiver {
  host: string;
  port: number;
  user: string;
  password: string;
  mails: ReceivedMail[];
  /** Every AUTH attempt, accepted or not, in order. */
  logins: { username: string; password: string }[];
  /** Answer the next RCPT TO with this SMTP code and text (e.g. 550 "no such user"; 451 for a transient refusal). */
  rejectNext(code: number, text: string): void;
  close(): Promise<void>;
}

export async function startSmtpReceiver(opts: { user?: string; password?: string; host?: string; port?: number } = {}): Promise<SmtpReceiver> {
  const user = opts.user ?? 'smtp-user';
  const password = opts.password ?? 'smtp-secret';
  const host = opts.host ?? '127.0.0.1';
  const mails: ReceivedMail[] = [];
  const logins: { username: string; password: string }[] = [];
  const rejections: { code: number; text: string }[] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: false,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      logins.push({ username: auth.username ?? '', password: auth.password ?? '' });
      if (auth.username === user && auth.password === password) return callback(null, { user: auth.username });
      return callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onRcptTo(_address, _session, callback) {
      const next = rejections.shift();
      if (next) return callback(Object.assign(new Error(next.text), { responseCode: next.code }));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        const raw = Buffer.concat(chunks);
        const parsed = await simpleParser(raw);
        const head = raw.toString('utf8').split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          parsed,
          header: (name) => head.match(new RegExp(`^${name}:[ \\t]*(.*)$`, 'im'))?.[1]?.trim(),
        });
        callback();
      });
    },
  });
  const port = opts.port ?? (await freePort());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    host,
    port,
    user,
    password,
    mails,
    logins,
    rejectNext: (code, text) => rejections.push({ code, text }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
