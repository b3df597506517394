import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../../../common/domain-error';
import { pgArrayLiteral } from '../../../common/pg-array';
import type { DeliveryResult, OutboundMessage } from '../../channels/channel-sender';
import type { MessageAttachment } from '../../conversations/message.entity';
import { ChannelSenders } from '../../channels/channel-senders';
import type { ChannelType } from '../../inboxes/inbox.entity';
import { VariablesService } from '../../variables/variables.service';
import type { RecipientStatus } from '../campaign.entity';
import { isTimeZone, type QuietHours, quietUntil } from '../quiet-hours';

export interface CampaignBatchResult {
  sent: number;
  failed: number;
  skipped: number;
  optedOut: number;
  /** Inside their quiet hours: recorded as deferred with the time they are due again. */
  deferred: number;
}

interface CampaignContext {
  campaignId: string;
  accountId: string;
  inboxId: string;
  channelType: ChannelType;
  template: string;
  /** The template's author is an administrator now: hidden contact attributes render (else their default). */
  templateWithHidden: boolean;
  prefix: string;
  quietHours: QuietHours | null;
  /** MMS media of every message (stored on each as its attachments, sent as MediaUrl). */
  media: MessageAttachment[];
  /** The sending inbox's business-hours time zone: recipients without their own. */
  defaultZone: string;
  /** Contact id → its own time zone (attribute `timezone`), for this batch. */
  zones: Map<string, string>;
}

/** Concurrent provider calls inside one batch. */
const CONCURRENCY = 50;
/** Recipients prepared together (claim, opt-out check, messages) as one wave: at most this many ... */
const WAVE_SIZE = 200;
/** ... due within this window of the wave's first, so the opt-out check stays at send time when paced. */
const WAVE_WINDOW_MS = 250;

/** The recipient row's id as the message's idempotency key. */
export const recipientMessageKey = (recipientId: string): string => `campaign-recipient:${recipientId}`;

const sleepUntil = async (at: number): Promise<void> => {
  const wait = at - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
};

/** Overdue recipients (after a stall or a worker restart) are caught up at most this much faster than the limit. */
const CATCH_UP_FACTOR = 1.05;

/**
 * Keeps the batch's provider calls at least `intervalMs / CATCH_UP_FACTOR` apart, whatever else
 * happens: each call waits for its due time, then takes the next free slot *when it wakes*, so a
 * blocked event loop or overdue recipients never leave as a burst (any window sees at most the
 * limit plus 5 %).
 */
export class Pacer {
  private last = Number.NEGATIVE_INFINITY;
  constructor(private readonly minGapMs: number) {}

  /** Resolves at (or, on a busy event loop, after) the slot it took; answers that slot (epoch ms). */
  async wait(dueAt: number): Promise<number> {
    await sleepUntil(dueAt);
    const slot = Math.max(Date.now(), this.last + this.minGapMs);
    this.last = slot;
    await sleepUntil(slot);
    return slot;
  }
}

/** A claimed recipient of the wave on its way to the provider. */
interface Live {
  contactId: string;
  recipientId: string;
  dueAt: number;
}

/**
 * Sends a batch of a campaign's recipients, each exactly once, a wave of recipients at a time with a
 * handful of statements per wave (not per recipient).
 *
 * Exactly once, step by step, for one (campaign, contact):
 *  1. Claim: `insert ... select ... from unnest(contacts) on conflict (campaign_id, contact_id) do nothing
 *     returning id` writes the wave's rows as `sending`. Only one attempt ever creates a row; a retry
 *     (activity retry after a worker crash, a batch re-run) finds the row instead.
 *  2. A row found in a final state (sent, failed, skipped, opted_out) is reported with that outcome and
 *     not sent again.
 *  3. Opt-out is checked now, at send time (after the claim, for the wave: its recipients are due within
 *     WAVE_WINDOW_MS), so a STOP received mid-run stops the recipient's message even when the run began
 *     before it. Then quiet hours: inside the window in the recipient's zone, the row becomes `deferred`
 *     with next_send_at (the window's end); the run comes back for it then and claims it again with a
 *     conditional update (deferred → sending).
 *  4. The outbound message is stored in the recipient's conversation in the sending inbox with the
 *     idempotency key `campaign-recipient:<row id>` (insert ... on conflict do nothing), so a retry
 *     reuses the same message. Its id travels to the provider (Twilio's status callback URL carries it).
 *  5. The provider is called at the recipient's due time; its answer (provider id, or Twilio's refusal)
 *     is written to the message and the row in one statement as soon as it arrives (answers arriving
 *     while a write is under way go in the next one).
 *  A row found `sending` on retry means an earlier attempt stopped between 1 and 5: if its message has
 *  a provider id (or a sent/delivered status), the provider accepted it and the row is marked sent
 *  without a call. If its message was stored but has no answer, the call may have reached the provider
 *  (the worker died during it, or it timed out): the channel's `findAccepted` looks it up in the
 *  provider's log (Twilio: the Messages list) and a message found there is recorded as sent with the
 *  provider's id, not sent again. The rest never reached the provider and are sent now. (Twilio's
 *  Messages API has no idempotency key; the lookup stands in for one.)
 */
export interface SendCampaignBatchInput {
  campaignId: string;
  contactIds: string[];
  pace?: { firstDueAt: number; intervalMs: number };
  heartbeat?: () => void;
}

@Injectable()
export class SendCampaignBatchUseCase {
  private readonly logger = new Logger(SendCampaignBatchUseCase.name);

  constructor(
    private readonly em: EntityManager,
    private readonly senders: ChannelSenders,
    private readonly variables: VariablesService,
  ) {}

  /**
   * `heartbeat`: called after every recipient (the activity passes Temporal's heartbeat).
   * `pace`: recipient i is sent no earlier than firstDueAt + i * intervalMs (epoch ms), which is how
   * the run's rate limit is kept smooth.
   */
  async execute(input: SendCampaignBatchInput): Promise<CampaignBatchResult> {
    const heartbeat = input.heartbeat ?? (() => undefined);
    const ctx = await this.context(input.campaignId, input.contactIds);
    const result: CampaignBatchResult = { sent: 0, failed: 0, skipped: 0, optedOut: 0, deferred: 0 };
    const count = (outcome: RecipientStatus) => {
      if (outcome === 'sent' || outcome === 'delivered') result.sent += 1;
      else if (outcome === 'failed') result.failed += 1;
      else if (outcome === 'opted_out') result.optedOut += 1;
      else if (outcome === 'deferred') result.deferred += 1;
      else result.skipped += 1;
      heartbeat();
    };
    const dueAt = (i: number) => (input.pace ? input.pace.firstDueAt + i * input.pace.intervalMs : 0);
    const pacer = input.pace ? new Pacer(input.pace.intervalMs / CATCH_UP_FACTOR) : null;
    const seen = new Set<string>();
    for (let start = 0; start < input.contactIds.length; ) {
      let end = start + 1;
      while (end < input.contactIds.length && end - start < WAVE_SIZE && dueAt(end) - dueAt(start) < WAVE_WINDOW_MS) end += 1;
      await sleepUntil(dueAt(start));
      const wave: { contactId: string; dueAt: number }[] = [];
      for (let i = start; i < end; i++) {
        const contactId = input.contactIds[i];
        if (seen.has(contactId)) count('skipped');
        else wave.push({ contactId, dueAt: dueAt(i) });
        seen.add(contactId);
      }
      await this.sendWave(ctx, wave, count, pacer);
      start = end;
    }
    return result;
  }

  private async context(campaignId: string, contactIds: string[]): Promise<CampaignContext> {
    const em = this.em.fork();
    const rows = await em.execute<
      {
        account_id: string;
        inbox_id: string;
        channel_type: ChannelType;
        template: string;
        company_name_prefix: boolean;
        company_name: string | null;
        settings: { companyNameInsertion?: boolean };
        quiet_hours: QuietHours | null;
        media: MessageAttachment[] | null;
        inbox_zone: string | null;
        author_is_admin: boolean | null;
      }[]
    >(
      `select c.account_id, c.inbox_id, i.channel_type, c.template, c.company_name_prefix, a.company_name, a.settings, c.quiet_hours, c.media,
              i.settings -> 'businessHours' ->> 'timezone' as inbox_zone,
              (select u.is_admin from users u where u.id = c.template_author_user_id and u.account_id = c.account_id) as author_is_admin
         from campaigns c join inboxes i on i.id = c.inbox_id join accounts a on a.id = c.account_id where c.id = ?`,
      [campaignId],
    );
    if (!rows.length) throw DomainError.notFound('campaign', campaignId);
    const r = rows[0];
    const prefix = r.company_name_prefix && r.settings?.companyNameInsertion && r.company_name?.trim() ? `${r.company_name.trim()}: ` : '';
    const zones = new Map<string, string>();
    if (r.quiet_hours && contactIds.length) {
      const found = await em.execute<{ id: string; zone: string | null }[]>(
        `select id, coalesce(nullif(attributes ->> 'timezone', ''), nullif(platform_attributes ->> 'timezone', '')) as zone from contacts where id = any(?::uuid[])`,
        [`{${contactIds.join(',')}}`],
      );
      // An unknown zone name falls back to the inbox's zone rather than failing the batch.
      for (const f of found) if (f.zone && isTimeZone(f.zone)) zones.set(f.id, f.zone);
    }
    const defaultZone = r.inbox_zone && isTimeZone(r.inbox_zone) ? r.inbox_zone : 'UTC';
    return {
      campaignId,
      accountId: r.account_id,
      inboxId: r.inbox_id,
      channelType: r.channel_type,
      template: r.template,
      templateWithHidden: r.author_is_admin === true,
      prefix,
      quietHours: r.quiet_hours,
      media: r.media ?? [],
      defaultZone,
      zones,
    };
  }

  /** One wave: claim, opt-outs, quiet hours, messages, then the provider calls (each at its due time). */
  private async sendWave(
    ctx: CampaignContext,
    wave: { contactId: string; dueAt: number }[],
    count: (outcome: RecipientStatus) => void,
    pacer: Pacer | null,
  ): Promise<void> {
    const em = this.em.fork();
    const dueOf = new Map(wave.map((w) => [w.contactId, w.dueAt]));
    const claimed = await em.execute<{ id: string; contact_id: string }[]>(
      `insert into campaign_recipients (campaign_id, contact_id, status, created_at, updated_at)
       select ?, c, 'sending', now(), now() from unnest(?::uuid[]) as c
       on conflict (campaign_id, contact_id) do nothing returning id, contact_id`,
      [ctx.campaignId, pgArrayLiteral(wave.map((w) => w.contactId))],
    );
    let live: Live[] = claimed.map((r) => ({ contactId: r.contact_id, recipientId: String(r.id), dueAt: dueOf.get(r.contact_id)! }));

    if (claimed.length < wave.length) {
      const claimedIds = new Set(claimed.map((r) => r.contact_id));
      const rows = await em.execute<
        {
          id: string;
          contact_id: string;
          status: RecipientStatus;
          due: boolean;
          message_id: string | null;
          conversation_id: string | null;
          content: string | null;
          message_created_at: Date | null;
          provider_message_id: string | null;
          delivery_status: string | null;
        }[]
      >(
        `select r.id, r.contact_id, r.status, r.next_send_at <= now() as due, m.id as message_id, m.conversation_id, m.content, m.created_at as message_created_at,
                m.provider_message_id, m.delivery_status
           from campaign_recipients r left join messages m on m.idempotency_key = 'campaign-recipient:' || r.id
          where r.campaign_id = ? and r.contact_id = any(?::uuid[])`,
        [ctx.campaignId, pgArrayLiteral(wave.filter((w) => !claimedIds.has(w.contactId)).map((w) => w.contactId))],
      );
      const resumed: typeof rows = [];
      const dueAgain: string[] = [];
      for (const row of rows) {
        if (row.status === 'deferred') {
          if (row.due) dueAgain.push(String(row.id));
          else count('deferred');
        } else if (row.status !== 'sending') count(row.status);
        else resumed.push(row);
      }
      if (dueAgain.length) {
        // Due again: claim them back (conditional, so two attempts cannot both take one).
        const reclaimed = new Set(
          (await em.execute<{ id: string }[]>(`update campaign_recipients set status = 'sending', updated_at = now() where id = any(?::bigint[]) and status = 'deferred' returning id`, [pgArrayLiteral(dueAgain)])).map((r) => String(r.id)),
        );
        for (const row of rows) {
          if (row.status !== 'deferred' || !row.due) continue;
          if (reclaimed.has(String(row.id))) resumed.push(row);
          else count('deferred');
        }
      }
      const accepted = resumed.filter((r) => r.provider_message_id || r.delivery_status === 'sent' || r.delivery_status === 'delivered');
      await this.settle(em, accepted.map((r) => String(r.id)), 'sent', null, count);
      const acceptedIds = new Set(accepted.map((r) => r.id));
      let pending = resumed.filter((r) => !acceptedIds.has(r.id));
      // In doubt: the message was stored, so the provider may have been called, but no answer was
      // written (the worker died during the call, or it timed out). Ask the provider before sending again.
      const inDoubt = pending.filter((r) => r.message_id !== null && r.delivery_status === 'queued');
      const sender = this.senders.for(ctx.channelType);
      if (inDoubt.length && sender.findAccepted) {
        const found = await sender.findAccepted(
          ctx.inboxId,
          inDoubt.map((r) => ({ messageId: String(r.message_id), contactId: r.contact_id, content: r.content ?? '', since: new Date(r.message_created_at!) })),
        );
        const reached = inDoubt.filter((r) => found.has(String(r.message_id)));
        if (reached.length) {
          await this.record(
            em,
            reached.map((r) => ({
              live: { contactId: r.contact_id, recipientId: String(r.id), dueAt: 0 },
              messageId: String(r.message_id),
              delivery: { status: 'sent', providerMessageId: found.get(String(r.message_id)) },
            })),
            count,
          );
          const reachedIds = new Set(reached.map((r) => r.id));
          pending = pending.filter((r) => !reachedIds.has(r.id));
        }
      }
      for (const r of pending) live.push({ contactId: r.contact_id, recipientId: String(r.id), dueAt: dueOf.get(r.contact_id)! });
    }
    if (!live.length) return;

    const optedOut = new Set(
      (
        await em.execute<{ contact_id: string }[]>(`select contact_id from contact_opt_outs where contact_id = any(?::uuid[]) and channel_type = ?`, [
          pgArrayLiteral(live.map((l) => l.contactId)),
          ctx.channelType,
        ])
      ).map((r) => r.contact_id),
    );
    await this.settle(em, live.filter((l) => optedOut.has(l.contactId)).map((l) => l.recipientId), 'opted_out', `opted out of ${ctx.channelType} campaigns`, count);
    live = live.filter((l) => !optedOut.has(l.contactId));

    if (ctx.quietHours) {
      const quiet = ctx.quietHours;
      const deferred: { recipientId: string; until: Date; reason: string }[] = [];
      live = live.filter((l) => {
        const zone = ctx.zones.get(l.contactId) ?? ctx.defaultZone;
        const until = quietUntil(quiet, zone, Date.now());
        if (until === null) return true;
        deferred.push({ recipientId: l.recipientId, until: new Date(until), reason: `quiet hours ${quiet.start}-${quiet.end} in ${zone}` });
        return false;
      });
      if (deferred.length) {
        await em.execute(
          `update campaign_recipients r set status = 'deferred', next_send_at = v.until, error = v.reason, updated_at = now()
             from unnest(?::bigint[], ?::timestamptz[], ?::text[]) as v(id, until, reason) where r.id = v.id`,
          [pgArrayLiteral(deferred.map((d) => d.recipientId)), pgArrayLiteral(deferred.map((d) => d.until.toISOString())), pgArrayLiteral(deferred.map((d) => d.reason))],
        );
        for (let i = 0; i < deferred.length; i++) count('deferred');
      }
    }
    if (!live.length) return;

    const rendered = await this.variables.renderForContacts(em, ctx.accountId, live.map((l) => l.contactId), ctx.template, { withHidden: ctx.templateWithHidden });
    const contents = new Map([...rendered].map(([contactId, text]) => [contactId, ctx.prefix + text]));
    const messages = await this.storeMessages(em, ctx, live, contents);
    const sender = this.senders.for(ctx.channelType);
    const mediaUrls = ctx.media.length ? { mediaUrls: ctx.media.map((m) => m.url) } : {};
    const send = sender.batch ? await sender.batch(ctx.inboxId, live.map((l) => l.contactId)) : (m: OutboundMessage) => sender.send(m);

    // Answers are written as they arrive: one write at a time, taking every answer waiting.
    const answers: { live: Live; messageId: string; delivery: DeliveryResult }[] = [];
    let writing: Promise<void> = Promise.resolve();
    const write = (): Promise<void> => {
      writing = writing.then(async () => {
        const taken = answers.splice(0);
        if (taken.length) await this.record(em, taken, count);
      });
      return writing;
    };
    let next = 0;
    let failure: unknown = null;
    const worker = async () => {
      while (next < live.length && failure === null) {
        const l = live[next++];
        if (pacer) await pacer.wait(l.dueAt);
        const { messageId, conversationId } = messages.get(l.recipientId)!;
        try {
          const delivery = await send({ messageId, conversationId, inboxId: ctx.inboxId, content: contents.get(l.contactId)!, contactId: l.contactId, ...mediaUrls });
          answers.push({ live: l, messageId, delivery });
          void write().catch(() => undefined);
        } catch (err) {
          // A transient provider failure fails the batch (the activity retries it) once the answers
          // already received are written; the message stays queued and is sent on the retry.
          failure ??= err;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, live.length) }, worker));
    await write();
    if (failure !== null) throw failure;
  }

  /** The providers' answers onto the messages and the recipient rows, in one statement. */
  private async record(em: EntityManager, taken: { live: Live; messageId: string; delivery: DeliveryResult }[], count: (outcome: RecipientStatus) => void): Promise<void> {
    await em.execute(
      `with v as (select * from unnest(?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[]) as v(message_id, recipient_id, delivery_status, provider_message_id, error, status)),
            m as (update messages set delivery_status = v.delivery_status, provider_message_id = coalesce(v.provider_message_id, messages.provider_message_id), error = v.error
                    from v where messages.id = v.message_id)
       update campaign_recipients r set status = v.status, error = v.error, next_send_at = null, updated_at = now() from v where r.id = v.recipient_id`,
      [
        pgArrayLiteral(taken.map((t) => t.messageId)),
        pgArrayLiteral(taken.map((t) => t.live.recipientId)),
        pgArrayLiteral(taken.map((t) => t.delivery.status)),
        pgArrayLiteral(taken.map((t) => t.delivery.providerMessageId ?? null)),
        pgArrayLiteral(taken.map((t) => t.delivery.error ?? null)),
        pgArrayLiteral(taken.map((t) => (t.delivery.status === 'failed' ? 'failed' : 'sent'))),
      ],
    );
    for (const t of taken) {
      if (t.delivery.status === 'failed') this.logger.warn(`campaign recipient ${t.live.recipientId}, contact ${t.live.contactId}: ${t.delivery.error}`);
      count(t.delivery.status === 'failed' ? 'failed' : 'sent');
    }
  }

  private async settle(em: EntityManager, recipientIds: string[], status: RecipientStatus, error: string | null, count: (outcome: RecipientStatus) => void): Promise<void> {
    if (!recipientIds.length) return;
    await em.execute(`update campaign_recipients set status = ?, error = ?, next_send_at = null, updated_at = now() where id = any(?::bigint[])`, [status, error, pgArrayLiteral(recipientIds)]);
    for (let i = 0; i < recipientIds.length; i++) count(status);
  }

  /**
   * The campaign messages as outbound messages, each in its contact's latest conversation in the
   * sending inbox (a new one, resolved, when there is none), so a reply threads there and reopens it.
   * Recipient row id → message. Messages a previous attempt stored are reused.
   */
  private async storeMessages(em: EntityManager, ctx: CampaignContext, live: Live[], contents: Map<string, string>): Promise<Map<string, { messageId: string; conversationId: string }>> {
    const out = new Map<string, { messageId: string; conversationId: string }>();
    const byKey = new Map(live.map((l) => [recipientMessageKey(l.recipientId), l]));
    const lookup = async (keys: string[]) => {
      const found = await em.execute<{ id: string; conversation_id: string; idempotency_key: string }[]>(
        `select id, conversation_id, idempotency_key from messages where idempotency_key = any(?::text[])`,
        [pgArrayLiteral(keys)],
      );
      for (const m of found) out.set(byKey.get(m.idempotency_key)!.recipientId, { messageId: String(m.id), conversationId: m.conversation_id });
    };
    await lookup([...byKey.keys()]);
    const missing = live.filter((l) => !out.has(l.recipientId));
    if (!missing.length) return out;
    await em.transactional(async (tx) => {
      const conversations = new Map(
        (
          await tx.execute<{ id: string; contact_id: string }[]>(
            `select distinct on (contact_id) id, contact_id from conversations where inbox_id = ? and contact_id = any(?::uuid[]) and status <> 'spam' order by contact_id, created_at desc`,
            [ctx.inboxId, pgArrayLiteral(missing.map((l) => l.contactId))],
          )
        ).map((c) => [c.contact_id, c.id]),
      );
      const without = missing.filter((l) => !conversations.has(l.contactId)).map((l) => l.contactId);
      if (without.length) {
        const created = await tx.execute<{ id: string; contact_id: string }[]>(
          `insert into conversations (id, account_id, inbox_id, contact_id, channel_type, status, resolved_at)
           select gen_random_uuid(), ?, ?, c, ?, 'resolved', now() from unnest(?::uuid[]) as c returning id, contact_id`,
          [ctx.accountId, ctx.inboxId, ctx.channelType, pgArrayLiteral(without)],
        );
        for (const c of created) conversations.set(c.contact_id, c.id);
      }
      const inserted = await tx.execute<{ id: string; conversation_id: string; idempotency_key: string }[]>(
        `insert into messages (conversation_id, direction, sender_type, content, delivery_status, idempotency_key, attachments)
         select v.conversation_id, 'outbound', 'system', v.content, 'queued', v.key, ?::jsonb from unnest(?::uuid[], ?::text[], ?::text[]) as v(conversation_id, content, key)
         on conflict (idempotency_key) do nothing returning id, conversation_id, idempotency_key`,
        [JSON.stringify(ctx.media), pgArrayLiteral(missing.map((l) => conversations.get(l.contactId)!)), pgArrayLiteral(missing.map((l) => contents.get(l.contactId)!)), pgArrayLiteral(missing.map((l) => recipientMessageKey(l.recipientId)))],
      );
      for (const m of inserted) out.set(byKey.get(m.idempotency_key)!.recipientId, { messageId: String(m.id), conversationId: m.conversation_id });
      if (inserted.length) {
        await tx.execute(`update campaign_recipients r set message_id = v.message_id, updated_at = now() from unnest(?::bigint[], ?::bigint[]) as v(id, message_id) where r.id = v.id`, [
          pgArrayLiteral(inserted.map((m) => byKey.get(m.idempotency_key)!.recipientId)),
          pgArrayLiteral(inserted.map((m) => String(m.id))),
        ]);
      }
    });
    // Another attempt stored some of them meanwhile: theirs.
    const raced = missing.filter((l) => !out.has(l.recipientId));
    if (raced.length) await lookup(raced.map((l) => recipientMessageKey(l.recipientId)));
    return out;
  }
}
