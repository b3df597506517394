/**
 * A listener that speaks just enough IMAP for a client to log in, and records every byte it is sent:
 * the stand-in for a server run by someone who wants the passwords a client would send it. It greets,
 * answers CAPABILITY (no AUTH= mechanisms, so clients use LOGIN with the password in clear), refuses
 * every LOGIN/AUTHENTICATE, answers LOGOUT and anything else with OK. No TLS.
 */
import * as net from 'node:net';

export interface ImapTrap {
  host: string;
  port: number;
  /** Everything clients sent, per connection, as text. */
  transcripts: string[];
  /** Whether any connection sent this text (e.g. a password). */
  received(text: string): boolean;
  close(): Promise<void>;
}

export async function startImapTrap(opts: { host?: string; port?: number } = {}): Promise<ImapTrap> {
  const host = opts.host ?? '127.0.0.1';
  const transcripts: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const index = transcripts.push('') - 1;
    let pending = '';
    socket.write('* OK [CAPABILITY IMAP4rev1] trap ready\r\n');
    socket.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      transcripts[index] += text;
      pending += text;
      let end: number;
      while ((end = pending.indexOf('\r\n')) >= 0) {
        const line = pending.slice(0, end);
        pending = pending.slice(end + 2);
        // A synchronising literal ({n}): let the client send it; the command's tag came on the first line.
        if (/\{\d+\}$/.test(line)) {
          socket.write('+ go ahead\r\n');
          continue;
        }
        const [tag, command = ''] = line.split(' ');
        if (!tag) continue;
        switch (command.toUpperCase()) {
          case 'CAPABILITY':
            socket.write(`* CAPABILITY IMAP4rev1\r\n${tag} OK CAPABILITY done\r\n`);
            break;
          case 'LOGIN':
          case 'AUTHENTICATE':
            socket.write(`${tag} NO [AUTHENTICATIONFAILED] Invalid credentials\r\n`);
            break;
          case 'LOGOUT':
            socket.end(`* BYE trap\r\n${tag} OK LOGOUT done\r\n`);
            break;
          default:
            socket.write(`${tag} OK done\r\n`);
        }
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  return {
    host,
    port: (server.address() as net.AddressInfo).port,
    transcripts,
    received: (text) => transcripts.some((t) => t.includes(text)),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
