import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { SecretBox } from '../../../common/secret-box';
import { APP_CONFIG, type ServiceConfig } from '../../../config/config';
import { webhookHeaders } from '../webhook-signature';
import { judgeAttempt, nextDelayMs } from '../webhook-schedule';
import { WebhookSender } from '../webhook-sender';

/** Deliveries one round reads at most (the rest: the next round, at once). */
const BATCH = 500;

export interface DeliverDueInput {
  endpointId: string;
  /** Called after every attempt (the activity heartbeats). */
  heartbeat?: () => void;
}

export interface DeliverDueResult {
  /** disabled: by an admin, a 410 or failing too long; gone: deleted. The workflow stops on both. */
  state: 'active' | 'disabled' | 'gone';
  /** A full batch was read: more may be due now. */
  more: boolean;
  /** When the earliest pending delivery is due (ms from now), null when none is pending. */
  nextDueInMs: number | null;
  attempted: number;
  succeeded: number;
}

interface EndpointRow {
  id: string;
  url: string;
  enabled: boolean;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_secret_expires_at: Date | null;
  kind: string;
  headers_sealed: string | null;
  timeout_ms: number | null;
}

interface DueRow {
  id: string;
  message_id: string;
  conversation_id: string | null;
  sequence: string | null;
  /** Attempts including this one. */
  attempts: number;
  body: string;
}

/**
 * One round of an endpoint's delivery workflow: sends what is due, in sequence order per
 * conversation, and records every attempt.
 *
 * Order: a conversation's delivery is due only when no earlier (lower sequence) delivery of that
 * conversation is still pending and not yet due; within a round each conversation's deliveries go one
 * after the other (a failure stops that conversation's chain), different conversations in parallel
 * (WEBHOOK_CONCURRENCY). So a receiver gets each conversation's messages in sequence order while
 * they succeed; a message that gave up (failed) no longer holds the rest back.
 *
 * Exactly-once toward a receiver that answered 2xx: a round first claims what it will send (attempts
 * + 1, next_attempt_at pushed ahead), so no other round sends it meanwhile; the 2xx is recorded as
 * succeeded in the same statement that logs the attempt, and a succeeded delivery is never selected
 * again (only an explicit redelivery resends it, with the same webhook-id). Database cost per attempt:
 * one statement; per round: the claim, the next-due query and at most one endpoint health write
 * (failures write more).
 */
@Injectable()
export class DeliverDueWebhooksUseCase {
  constructor(
    private readonly em: EntityManager,
    private readonly secrets: SecretBox,
    private readonly sender: WebhookSender,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async execute(input: DeliverDueInput): Promise<DeliverDueResult> {
    const em = this.em.fork();
    const [endpoint] = await em.execute<EndpointRow[]>(
      'select id, url, enabled, secret_sealed, previous_secret_sealed, previous_secret_expires_at, kind, headers_sealed, timeout_ms from webhook_endpoints where id = ?',
      [input.endpointId],
    );
    if (!endpoint) return { state: 'gone', more: false, nextDueInMs: null, attempted: 0, succeeded: 0 };
    if (!endpoint.enabled) return { state: 'disabled', more: false, nextDueInMs: null, attempted: 0, succeeded: 0 };
    const secrets = [this.secrets.decrypt(endpoint.secret_sealed, 'webhook secret')];
    if (endpoint.previous_secret_sealed && endpoint.previous_secret_expires_at && new Date(endpoint.previous_secret_expires_at) > new Date()) {
      secrets.push(this.secrets.decrypt(endpoint.previous_secret_sealed, 'previous webhook secret'));
    }
    // A CRM write-back endpoint's own headers (its credentials), sealed like the secrets.
    const extraHeaders = endpoint.headers_sealed ? (JSON.parse(this.secrets.decrypt(endpoint.headers_sealed, 'endpoint headers')) as Record<string, string>) : {};

    // Claim what is due in one statement: attempts + 1 and next_attempt_at pushed ahead by one attempt
    // budget per place in its conversation's chain, so no other round sends them meanwhile (a crashed
    // worker's claims expire after that). Rows whose chain stopped early are released at the end.
    const budget = ((endpoint.timeout_ms ?? this.config.webhooks.timeoutMs) + 10_000) / 1000;
    // Its cost does not grow with the delivery log: the walk in id order reads only pending rows (a
    // partial index), and the update finds the picked rows by primary key (= any(array(...)): a join
    // back to the table would let the planner hash the whole table, every round).
    const due = await em.execute<DueRow[]>(
      `with picked as (
         select d.id, d.conversation_id, d.sequence from webhook_deliveries d
          where d.endpoint_id = ? and d.status = 'pending' and d.next_attempt_at <= clock_timestamp()
            and (d.conversation_id is null or not exists (
              select 1 from webhook_deliveries e
               where e.endpoint_id = d.endpoint_id and e.conversation_id = d.conversation_id and e.status = 'pending'
                 and e.sequence < d.sequence and e.next_attempt_at > clock_timestamp()))
          order by d.id limit ${BATCH} for update of d skip locked),
       ranked as (
         select p.id, row_number() over (partition by coalesce(p.conversation_id::text, p.id::text) order by p.sequence, p.id) as pos from picked p)
       update webhook_deliveries d set attempts = d.attempts + 1, last_attempt_at = clock_timestamp(),
              next_attempt_at = clock_timestamp() + make_interval(secs => ?::float8 * r.pos)
         from ranked r, webhook_messages m
        where d.id = any(array(select id from picked)) and d.id = r.id and m.id = d.message_id
        returning d.id, d.message_id, d.conversation_id, d.sequence, d.attempts, m.body`,
      [endpoint.id, budget],
    );

    // One chain per conversation in sequence order; messages without a conversation each alone.
    const chains = new Map<string, DueRow[]>();
    for (const row of due) {
      const key = row.conversation_id ?? `m:${row.id}`;
      const chain = chains.get(key);
      if (chain) chain.push(row);
      else chains.set(key, [row]);
    }
    for (const chain of chains.values()) chain.sort((a, b) => Number(a.sequence ?? 0) - Number(b.sequence ?? 0));

    let attempted = 0;
    let succeeded = 0;
    let state: DeliverDueResult['state'] = 'active';
    const health = { successRecorded: false };
    const untried: string[] = [];
    const queue = [...chains.values()];
    const runChain = async (chain: DueRow[]) => {
      for (const [i, row] of chain.entries()) {
        if (state !== 'active') {
          untried.push(...chain.slice(i).map((r) => r.id));
          return;
        }
        const outcome = await this.attempt(em, endpoint, secrets, extraHeaders, row, health);
        input.heartbeat?.();
        attempted += 1;
        if (outcome === 'disabled') state = 'disabled';
        if (outcome !== 'succeeded') {
          untried.push(...chain.slice(i + 1).map((r) => r.id));
          return;
        }
        succeeded += 1;
      }
    };
    const workers = Array.from({ length: Math.min(this.config.webhooks.concurrency, queue.length) }, async () => {
      for (let chain = queue.shift(); chain; chain = queue.shift()) await runChain(chain);
    });
    await Promise.all(workers);
    if (untried.length > 0) {
      // Claimed but not sent (an earlier message of the conversation failed, or the endpoint was disabled): as they were.
      await em.execute(
        `update webhook_deliveries set attempts = attempts - 1, next_attempt_at = clock_timestamp() where id in (${untried.map(() => '?').join(', ')}) and status = 'pending'`,
        untried,
      );
    }
    if (state !== 'active') return { state, more: false, nextDueInMs: null, attempted, succeeded };

    const [next] = await em.execute<{ ms: string | null }[]>(
      `select floor(extract(epoch from (min(next_attempt_at) - clock_timestamp())) * 1000) as ms from webhook_deliveries where endpoint_id = ? and status = 'pending'`,
      [endpoint.id],
    );
    return { state, more: due.length === BATCH, nextDueInMs: next?.ms === null || next?.ms === undefined ? null : Math.max(0, Number(next.ms)), attempted, succeeded };
  }

  /** Sends one claimed delivery and records the attempt with the delivery's new state in one statement. */
  private async attempt(em: EntityManager, endpoint: EndpointRow, secrets: string[], extraHeaders: Record<string, string>, row: DueRow, health: { successRecorded: boolean }): Promise<'succeeded' | 'failed' | 'disabled'> {
    const { retryScale, disableAfterFailingSeconds } = this.config.webhooks;
    const signed = webhookHeaders(secrets, row.message_id, Math.floor(Date.now() / 1000), row.body);
    // CRM write-backs also carry the message id as Idempotency-Key (the same on every attempt and redelivery).
    const headers = endpoint.kind === 'crm' ? { ...extraHeaders, ...signed, 'idempotency-key': row.message_id } : signed;
    const result = await this.sender.send(endpoint.url, headers, row.body, endpoint.timeout_ms ?? undefined);
    const verdict = judgeAttempt(result.status, result.retryAfter, Date.now(), result.error ?? undefined);
    const error = verdict.kind === 'success' ? null : verdict.kind === 'gone' ? 'HTTP 410 Gone: the receiver asked to stop; the endpoint was disabled' : verdict.error;
    const delay = verdict.kind === 'retry' ? (verdict.retryAfterMs ?? nextDelayMs(row.attempts, retryScale)) : null;
    const status = verdict.kind === 'success' ? 'succeeded' : verdict.kind === 'gone' || delay === null ? 'failed' : 'pending';

    await em.execute(
      `with attempt as (
         insert into webhook_attempts (delivery_id, attempted_at, status_code, duration_ms, response_excerpt, error, succeeded)
         values (?, clock_timestamp() - make_interval(secs => ?), ?, ?, ?, ?, ?))
       update webhook_deliveries set status = ?, next_attempt_at = ${status === 'pending' ? 'clock_timestamp() + make_interval(secs => ?)' : 'null'},
              last_status_code = ?, last_error = ?, delivered_at = ${status === 'succeeded' ? 'clock_timestamp()' : 'delivered_at'}
        where id = ?`,
      [
        row.id,
        result.durationMs / 1000,
        result.status,
        result.durationMs,
        result.excerpt,
        error,
        verdict.kind === 'success',
        status,
        ...(status === 'pending' ? [(delay ?? 0) / 1000] : []),
        result.status,
        error,
        row.id,
      ],
    );
    if (verdict.kind === 'success') {
      // Once per round: every success writing the endpoint row would serialise its deliveries on that row's lock.
      if (!health.successRecorded) {
        health.successRecorded = true;
        await em.execute(`update webhook_endpoints set failing_since = null, last_success_at = clock_timestamp() where id = ?`, [endpoint.id]);
      }
      return 'succeeded';
    }
    if (verdict.kind === 'gone') {
      await em.execute(
        `update webhook_endpoints set enabled = false, disabled_at = clock_timestamp(), last_failure_at = clock_timestamp(),
                disabled_reason = ? where id = ? and enabled`,
        [`The receiver answered 410 Gone at ${new Date().toISOString()} (message ${row.message_id}): it asked us to stop sending.`, endpoint.id],
      );
      return 'disabled';
    }
    const [failing] = await em.execute<{ failing_since: Date }[]>(
      `update webhook_endpoints set failing_since = coalesce(failing_since, clock_timestamp()), last_failure_at = clock_timestamp()
        where id = ? returning failing_since`,
      [endpoint.id],
    );
    if (failing && Date.now() - new Date(failing.failing_since).getTime() >= disableAfterFailingSeconds * 1000) {
      await em.execute(`update webhook_endpoints set enabled = false, disabled_at = clock_timestamp(), disabled_reason = ? where id = ? and enabled`, [
        `Every attempt failed since ${new Date(failing.failing_since).toISOString()} (over ${formatSpan(disableAfterFailingSeconds)}); the last one: ${error}. Fix the receiver and enable the endpoint again: pending deliveries resume.`,
        endpoint.id,
      ]);
      return 'disabled';
    }
    return 'failed';
  }
}

function formatSpan(seconds: number): string {
  if (seconds % 86400 === 0) return `${seconds / 86400} day${seconds === 86400 ? '' : 's'}`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  return `${seconds} s`;
}
