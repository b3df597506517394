import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../../../../common/domain-error';
import { resolveOutboundTarget } from '../../../../common/outbound-address';
import { SecretBox } from '../../../../common/secret-box';
import { APP_CONFIG, type ServiceConfig } from '../../../../config/config';
import { describeImapError } from '../connection-check';
import { EmailChannel } from '../email-channel.entity';
import { imapClient } from '../mail-clients';
import { StoreInboundEmailUseCase } from './store-inbound-email.use-case';

export interface MailboxSessionInput {
  inboxId: string;
  /** The session ends (outcome 'rotate') after this long, so the workflow can continue-as-new. */
  maxRunMs: number;
}

export interface MailboxSessionResult {
  /** stopped: the channel is disabled or gone (the workflow ends); rotate: time is up (the workflow runs the next session). */
  outcome: 'stopped' | 'rotate';
  reason: string;
  uidValidity: string | null;
  lastUid: string;
  stored: number;
  duplicates: number;
  connections: number;
}

/** What the caller (the Temporal activity) offers: heartbeats and cancellation. */
export interface SessionHooks {
  heartbeat(details: { uidValidity: string | null; lastUid: string; state: string }): void;
  signal: AbortSignal;
}

/** Thrown when the session was cancelled (worker shutdown, workflow terminated). */
export class SessionCancelled extends Error {}

/** The mailbox cannot be worked on until the server or the settings change: reconnect with backoff. */
class ConnectionLost extends Error {}

/** A mail that failed this many times (not for a dependency outage) is kept as a note, so it cannot block the mailbox. */
const POISON_ATTEMPTS = 3;
/** Even without an EXISTS notification, look for new mail this often (a missed notification costs at most this). */
const SAFETY_SYNC_MS = 60_000;

/**
 * The channel's checkpoint as text. The bigint columns come back from MikroORM as JS BigInt (its
 * default mode), whatever the entity's declared type says; a BigInt can neither be compared with the
 * folder's UIDVALIDITY string nor be encoded in a Temporal heartbeat or activity result (JSON).
 */
export function checkpointOf(c: Pick<EmailChannel, 'uidValidity' | 'lastUid'>): { uidValidity: string | null; lastUid: string } {
  return { uidValidity: c.uidValidity === null || c.uidValidity === undefined ? null : String(c.uidValidity), lastUid: String(c.lastUid ?? '0') };
}

function fingerprint(c: EmailChannel): string {
  return [c.imapHost, c.imapPort, c.imapSecure, c.imapUser, c.imapPasswordSealed, c.imapFolder].join('\u0000');
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * One IMAP session for an email inbox's mailbox, as long as the mailbox workflow's activity runs:
 *
 *  - connects, opens the folder read-only, checks UIDVALIDITY against the checkpoint (a change resets
 *    it: the folder is read again and mails already stored are skipped by Message-ID/UID);
 *  - fetches every mail with a UID above the checkpoint, one at a time, hands it to
 *    StoreInboundEmailUseCase and advances the checkpoint in Postgres after each; then waits in IDLE,
 *    and fetches again on each EXISTS (new mail), or at least every minute;
 *  - heartbeats while it waits, checks its settings every EMAIL_MAILBOX_CHECK_MS (disabled or deleted:
 *    ends with 'stopped'; changed: reconnects with the new ones);
 *  - when the server drops or refuses the connection, records the reason on the channel (lastError) and
 *    reconnects with backoff (1 s doubling up to EMAIL_RECONNECT_MAX_SECONDS), heartbeating meanwhile.
 *
 * Nothing is lost: the checkpoint moves only past stored mails. Nothing is duplicated: a mail fetched
 * again (crash between storing and the checkpoint) is found by its Message-ID.
 */
@Injectable()
export class RunMailboxSessionUseCase {
  private readonly logger = new Logger(RunMailboxSessionUseCase.name);
  /** Failures per `<inboxId>:<uidValidity>:<uid>` in this process (poison mails). */
  private readonly failures = new Map<string, number>();

  constructor(
    private readonly em: EntityManager,
    private readonly secrets: SecretBox,
    private readonly storeEmail: StoreInboundEmailUseCase,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async execute({ hooks, ...input }: MailboxSessionInput & { hooks: SessionHooks }): Promise<MailboxSessionResult> {
    const deadline = Date.now() + input.maxRunMs;
    const result: MailboxSessionResult = { outcome: 'rotate', reason: '', uidValidity: null, lastUid: '0', stored: 0, duplicates: 0, connections: 0 };
    const maxBackoff = this.config.email.reconnectMaxSeconds * 1000;
    let backoff = 1000;
    let first = true;

    for (;;) {
      if (hooks.signal.aborted) throw new SessionCancelled('the mailbox session was cancelled');
      let channel = await this.load(input.inboxId);
      if (!channel?.enabled && first) {
        // Started right as the settings were saved: look once more before giving up.
        await sleep(Math.min(2000, this.config.email.checkIntervalMs * 2), hooks.signal);
        channel = await this.load(input.inboxId);
      }
      first = false;
      if (!channel) return { ...result, outcome: 'stopped', reason: 'the email channel was removed (or its inbox deleted)' };
      if (!channel.enabled) return { ...result, outcome: 'stopped', reason: 'the email channel is disabled' };
      Object.assign(result, checkpointOf(channel));
      if (Date.now() >= deadline) return { ...result, outcome: 'rotate', reason: 'session time is up' };

      try {
        const ended = await this.session(channel, deadline, hooks, result);
        if (ended === 'stopped') return { ...result, outcome: 'stopped', reason: 'the email channel was disabled or removed' };
        if (ended === 'rotate') return { ...result, outcome: 'rotate', reason: 'session time is up' };
        backoff = 1000; // settings changed: reconnect at once
      } catch (err) {
        if (hooks.signal.aborted) throw new SessionCancelled('the mailbox session was cancelled');
        const described = err instanceof ConnectionLost ? err.message : describeImapError(err, { host: channel.imapHost, port: channel.imapPort, user: channel.imapUser }).message;
        this.logger.warn(`mailbox of inbox ${input.inboxId}: ${described}; reconnecting in ${backoff / 1000} s`);
        await this.recordError(input.inboxId, described);
        const until = Date.now() + backoff;
        while (Date.now() < until && !hooks.signal.aborted) {
          hooks.heartbeat({ uidValidity: result.uidValidity, lastUid: result.lastUid, state: `reconnecting: ${described}` });
          await sleep(Math.min(1000, until - Date.now()), hooks.signal);
        }
        backoff = Math.min(backoff * 2, maxBackoff);
      }
    }
  }

  private load(inboxId: string): Promise<EmailChannel | null> {
    return this.em.fork().findOne(EmailChannel, { inbox: inboxId });
  }

  private async recordError(inboxId: string, message: string): Promise<void> {
    await this.em
      .fork()
      .execute(`update email_channels set last_error = ?, last_error_at = now() where inbox_id = ?`, [message.slice(0, 1000), inboxId])
      .catch(() => undefined);
  }

  /** One connection: returns why it ended, or throws when the connection was lost. */
  private async session(channel: EmailChannel, deadline: number, hooks: SessionHooks, result: MailboxSessionResult): Promise<'stopped' | 'rotate' | 'changed'> {
    const inboxId = channel.inbox.id;
    const checkpoint = checkpointOf(channel);
    // The address guard: a refused or unresolvable host is thrown (recorded as lastError, retried with
    // backoff, so fixing the settings or the DNS lets the session connect); the checked address is used.
    const target = await resolveOutboundTarget(channel.imapHost, this.config.outbound);
    const client = imapClient(
      {
        host: channel.imapHost,
        port: channel.imapPort,
        secure: channel.imapSecure,
        user: channel.imapUser,
        password: this.secrets.decrypt(channel.imapPasswordSealed, 'imapPassword'),
      },
      this.config.email.connectTimeoutMs,
      target,
    );
    let wake: () => void = () => undefined;
    let dirty = true;
    let lost: string | null = null;
    const nextWake = () => new Promise<void>((resolve) => (wake = resolve));
    let woken = nextWake();
    client.on('exists', () => {
      dirty = true;
      wake();
    });
    client.on('close', () => {
      lost ??= `the IMAP server ${channel.imapHost}:${channel.imapPort} closed the connection`;
      wake();
    });
    client.on('error', (err: Error) => {
      // Our words and the error's code only: the message may carry what the server sent.
      lost ??= describeImapError(err, { host: channel.imapHost, port: channel.imapPort, user: channel.imapUser }).message;
      wake();
    });
    const onAbort = () => wake();
    hooks.signal.addEventListener('abort', onAbort);

    try {
      await client.connect();
      result.connections += 1;
      const mailbox = await client.mailboxOpen(channel.imapFolder, { readOnly: true });
      const uidValidity = String(mailbox.uidValidity);
      let rescan = false;
      let lastUid = BigInt(checkpoint.lastUid);
      await this.em
        .fork()
        .execute(`update email_channels set last_connected_at = now(), last_error = null, last_error_at = null where inbox_id = ?`, [inboxId]);
      if (checkpoint.uidValidity !== uidValidity) {
        // First session, or the server renumbered the folder: read it all again (stored mails are skipped).
        rescan = checkpoint.uidValidity !== null;
        if (rescan) this.logger.warn(`mailbox of inbox ${inboxId}: UIDVALIDITY changed from ${checkpoint.uidValidity} to ${uidValidity}; reading the folder again`);
        lastUid = 0n;
        await this.em.fork().execute(`update email_channels set uid_validity = ?, last_uid = 0 where inbox_id = ?`, [uidValidity, inboxId]);
      }
      result.uidValidity = uidValidity;
      result.lastUid = String(lastUid);
      const beat = (state: string) => hooks.heartbeat({ uidValidity, lastUid: String(lastUid), state });

      const sync = async () => {
        const listed = await client.fetchAll(`${lastUid + 1n}:*`, { uid: true }, { uid: true });
        const uids = listed.map((m) => BigInt(m.uid)).filter((uid) => uid > lastUid).sort((a, b) => (a < b ? -1 : 1));
        for (const uid of uids) {
          if (hooks.signal.aborted) throw new SessionCancelled('the mailbox session was cancelled');
          const fetched = await client.fetchOne(String(uid), { uid: true, source: true }, { uid: true });
          if (fetched && fetched.source) {
            await this.storeOne(inboxId, uidValidity, String(uid), fetched.source, rescan, result);
          }
          lastUid = uid;
          result.lastUid = String(uid);
          await this.em
            .fork()
            .execute(`update email_channels set last_uid = greatest(last_uid, ?) where inbox_id = ? and uid_validity = ?`, [String(uid), inboxId, uidValidity]);
          beat('fetching');
        }
        rescan = false;
      };

      let idle: Promise<unknown> | null = null;
      let lastSync = 0;
      let lastCheck = Date.now();
      const settings = fingerprint(channel);
      for (;;) {
        if (lost) throw new ConnectionLost(lost);
        if (hooks.signal.aborted) throw new SessionCancelled('the mailbox session was cancelled');
        if (dirty || Date.now() - lastSync >= SAFETY_SYNC_MS) {
          dirty = false;
          await sync();
          lastSync = Date.now();
          continue;
        }
        idle ??= client
          .idle()
          .catch(() => undefined)
          .finally(() => (idle = null));
        beat('idle');
        await Promise.race([woken, sleep(Math.min(this.config.email.checkIntervalMs, Math.max(1, deadline - Date.now())), hooks.signal)]);
        woken = nextWake();
        if (Date.now() - lastCheck >= this.config.email.checkIntervalMs) {
          lastCheck = Date.now();
          const fresh = await this.load(inboxId);
          if (!fresh?.enabled) return 'stopped';
          if (fingerprint(fresh) !== settings) return 'changed';
        }
        if (Date.now() >= deadline) return 'rotate';
      }
    } finally {
      hooks.signal.removeEventListener('abort', onAbort);
      if (!lost) await Promise.race([client.logout().catch(() => undefined), new Promise((r) => setTimeout(r, 2000))]);
      client.close();
    }
  }

  /**
   * Stores one mail. A dependency outage (database, Temporal) is thrown, so the session reconnects and
   * the mail is fetched again. Any other failure is retried; after POISON_ATTEMPTS the mail is kept as a
   * short note naming the problem, so one bad mail cannot block the mailbox.
   */
  private async storeOne(inboxId: string, uidValidity: string, uid: string, raw: Buffer, rescan: boolean, result: MailboxSessionResult): Promise<void> {
    const key = `${inboxId}:${uidValidity}:${uid}`;
    try {
      const stored = await this.storeEmail.execute({ inboxId, raw, uidValidity, uid, rescan });
      this.failures.delete(key);
      if (stored.outcome === 'stored') result.stored += 1;
      else result.duplicates += 1;
    } catch (err) {
      if (err instanceof DomainError && (err.code === 'DEPENDENCY_UNAVAILABLE' || err.code === 'NOT_FOUND' || err.code === 'UNPROCESSABLE')) throw err;
      const attempts = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, attempts);
      if (attempts < POISON_ATTEMPTS) throw err;
      this.logger.error(`mailbox of inbox ${inboxId}: mail UID ${uid} failed ${attempts} times (${(err as Error).message}); keeping it as a note`);
      const note = Buffer.from(
        `Subject: (unreadable mail, UID ${uid})\r\nFrom: ${'unknown-sender@invalid'}\r\n\r\n` +
          `This mail (UID ${uid} of the mailbox) could not be stored: ${(err as Error).message}. Its raw size was ${raw.length} bytes.\r\n`,
      );
      await this.storeEmail.execute({ inboxId, raw: note, uidValidity, uid, rescan });
      this.failures.delete(key);
      result.stored += 1;
    }
  }
}
