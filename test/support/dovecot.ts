/**
 * A real IMAP server for tests: Debian's dovecot (dovecot-imapd) in the foreground with a throwaway
 * configuration under a temp folder: 127.0.0.1 only, no TLS, plaintext logins allowed, any user name
 * with one static password, maildirs under <dir>/mail/<user> owned by the dovecot user.
 * `kill()` SIGKILLs the master (as a crash would); `start()` again serves the same maildirs on the same port.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '../../src/local-stack/free-port';

export interface Dovecot {
  host: string;
  port: number;
  password: string;
  dir: string;
  /** Pid of the running master process (undefined while stopped). */
  readonly pid: number | undefined;
  start(): Promise<void>;
  /** SIGKILL: the master and its login/imap processes die without saying goodbye. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export function dovecotBinary(): string {
  for (const candidate of [process.env.DOVECOT_BIN, '/usr/sbin/dovecot', '/usr/bin/dovecot'].filter(Boolean) as string[]) {
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error(
    'dovecot is not installed: the email channel tests need a real IMAP server. Install it with ' +
      '`apt-get update && apt-get install -y dovecot-imapd` (.ci/run does this), or set DOVECOT_BIN.',
  );
}

function waitForPort(port: number, timeoutMs: number, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (!alive()) return reject(new Error('dovecot exited during start-up'));
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`dovecot did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/** The process tree under `pid` (dovecot's login, imap and auth processes), read from /proc. */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      /* gone */
    }
  }
  const out: number[] = [];
  const walk = (p: number) => (children.get(p) ?? []).forEach((c) => (out.push(c), walk(c)));
  walk(pid);
  return out;
}

export async function startDovecot(opts: { password?: string } = {}): Promise<Dovecot> {
  const bin = dovecotBinary();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cx-dovecot-'));
  const port = await freePort();
  const password = opts.password ?? 'mailbox-secret';
  const mailDir = path.join(dir, 'mail');
  for (const sub of ['run', 'state', 'mail']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
  fs.chmodSync(dir, 0o755);
  execFileSync('chown', ['-R', 'dovecot:dovecot', mailDir]);
  const conf = path.join(dir, 'dovecot.conf');
  fs.writeFileSync(
    conf,
    `# throwaway test configuration (test/support/dovecot.ts)
protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:${mailDir}/%u
passdb {
  driver = static
  args = password=${password}
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=${mailDir}/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
`,
  );

  let child: ChildProcess | undefined;
  const dovecot: Dovecot = {
    host: '127.0.0.1',
    port,
    password,
    dir,
    get pid() {
      return child?.pid;
    },
    async start() {
      if (child) throw new Error('dovecot already runs');
      const proc = spawn(bin, ['-F', '-c', conf], { stdio: ['ignore', 'ignore', 'pipe']});
      let stderr = '';
      proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      let exited = false;
      proc.once('exit', () => {
        exited = true;
        if (child === proc) child = undefined;
      });
      child = proc;
      try {
        await waitForPort(port, 10_000, () => !exited);
      } catch (err) {
        const log = fs.existsSync(path.join(dir, 'dovecot.log')) ? fs.readFileSync(path.join(dir, 'dovecot.log'), 'utf8').slice(-2000) : '';
        throw new Error(`${(err as Error).message}\n${stderr}\n${log}`);
      }
    },
    async kill() {
      const proc = child;
      if (!proc) return;
      const tree = proc.pid ? descendants(proc.pid) : [];
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGKILL');
      await exited;
      child = undefined;
      // A crash takes the whole server down: the login and imap processes (and their connections) too.
      for (const pid of tree) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    },
    async stop() {
      const proc = child;
      if (proc) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      }
      await dovecot.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  await dovecot.start();
  return dovecot;
}
