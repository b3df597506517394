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
}

interface DueRow {
  id: string;
  message_id: string;
  conversation_id: string | null;
  sequence: string | null;
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
 * Exactly-once toward a receiver that answered 2xx: each attempt first claims its delivery (attempts
 * + 1, next_attempt_at pushed one attempt budget ahead), so no other round sends it meanwhile; the
 * 2xx is recorded as succeeded in the same statement that logs the attempt, and a succeeded delivery
 * is never selected again (only an explicit redelivery resends it, with the same webhook-id).
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
      'select id, url, enabled, secret_sealed, previous_secret_sealed, previous_secret_expires_at from webhook_endpoints where id = ?',
      [input.endpointId],
    );
    if (!endpoint) return { state: 'gone', more: false, nextDueInMs: null, attempted: 0, succeeded: 0 };
    if (!endpoint.enabled) return { state: 'disabled', more: false, nextDueInMs: null, attempted: 0, succeeded: 0 };
    const secrets = [this.secrets.decrypt(endpoint.secret_sealed, 'webhook secret')];
    if (endpoint.previous_secret_sealed && endpoint.previous_secret_expires_at && new Date(endpoint.previous_secret_expires_at) > new Date()) {
      secrets.push(this.secrets.decrypt(endpoint.previous_secret_sealed, 'previous webhook secret'));
    }

    const due = await em.execute<DueRow[]>(
      `select d.id, d.message_id, d.conversation_id, d.sequence, m.body
         from webhook_deliveries d join webhook_messages m on m.id = d.message_id
        where d.endpoint_id = ? and d.status = 'pending' and d.next_attempt_at <= clock_timestamp()
          and (d.conversation_id is null or not exists (
            select 1 from webhook_deliveries e
             where e.endpoint_id = d.endpoint_id and e.conversation_id = d.conversation_id and e.status = 'pending'
               and e.sequence < d.sequence and e.next_attempt_at > clock_timestamp()))
        order by d.id limit ${BATCH}`,
      [endpoint.id],
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
    const queue = [...chains.values()];
    const runChain = async (chain: DueRow[]) => {
      for (const row of chain) {
        if (state !== 'active') return;
        const outcome = await this.attempt(em, endpoint, secrets, row);
        input.heartbeat?.();
        if (outcome === 'skipped') return;
        attempted += 1;
        if (outcome === 'disabled') state = 'disabled';
        if (outcome !== 'succeeded') return;
        succeeded += 1;
      }
    };
    const workers = Array.from({ length: Math.min(this.config.webhooks.concurrency, queue.length) }, async () => {
      for (let chain = queue.shift(); chain; chain = queue.shift()) await runChain(chain);
    });
    await Promise.all(workers);
    if (state !== 'active') return { state, more: false, nextDueInMs: null, attempted, succeeded };

    const [next] = await em.execute<{ ms: string | null }[]>(
      `select floor(extract(epoch from (min(next_attempt_at) - clock_timestamp())) * 1000) as ms from webhook_deliveries where endpoint_id = ? and status = 'pending'`,
      [endpoint.id],
    );
    return { state, more: due.length === BATCH, nextDueInMs: next?.ms === null || next?.ms === undefined ? null : Math.max(0, Number(next.ms)), attempted, succeeded };
  }

  private async attempt(em: EntityManager, endpoint: EndpointRow, secrets: string[], row: DueRow): Promise<'succeeded' | 'failed' | 'disabled' | 'skipped'> {
    const { timeoutMs, retryScale, disableAfterFailingSeconds } = this.config.webhooks;
    const claimed = await em.execute<{ attempts: number }[]>(
      `update webhook_deliveries set attempts = attempts + 1, last_attempt_at = clock_timestamp(),
              next_attempt_at = clock_timestamp() + make_interval(secs => ?)
        where id = ? and status = 'pending' and next_attempt_at <= clock_timestamp() returning attempts`,
      [(timeoutMs + 10_000) / 1000, row.id],
    );
    if (claimed.length === 0) return 'skipped';
    const attempts = claimed[0].attempts;

    const headers = webhookHeaders(secrets, row.message_id, Math.floor(Date.now() / 1000), row.body);
    const result = await this.sender.send(endpoint.url, headers, row.body);
    const verdict = judgeAttempt(result.status, result.retryAfter, Date.now(), result.error ?? undefined);
    const error = verdict.kind === 'success' ? null : verdict.kind === 'gone' ? 'HTTP 410 Gone: the receiver asked to stop; the endpoint was disabled' : verdict.error;
    const delay = verdict.kind === 'retry' ? (verdict.retryAfterMs ?? nextDelayMs(attempts, retryScale)) : null;
    const status = verdict.kind === 'success' ? 'succeeded' : verdict.kind === 'gone' || delay === null ? 'failed' : 'pending';

    return em.transactional(async (tx) => {
      await tx.execute(
        `insert into webhook_attempts (delivery_id, attempted_at, status_code, duration_ms, response_excerpt, error, succeeded)
         values (?, clock_timestamp() - make_interval(secs => ?), ?, ?, ?, ?, ?)`,
        [row.id, result.durationMs / 1000, result.status, result.durationMs, result.excerpt, error, verdict.kind === 'success'],
      );
      await tx.execute(
        `update webhook_deliveries set status = ?, next_attempt_at = ${status === 'pending' ? 'clock_timestamp() + make_interval(secs => ?)' : 'null'},
                last_status_code = ?, last_error = ?, delivered_at = ${status === 'succeeded' ? 'clock_timestamp()' : 'delivered_at'}
          where id = ?`,
        status === 'pending' ? [status, (delay ?? 0) / 1000, result.status, error, row.id] : [status, result.status, error, row.id],
      );
      if (verdict.kind === 'success') {
        // Only when something changes (every success writing the row would serialise the endpoint's deliveries on its lock).
        await tx.execute(
          `update webhook_endpoints set failing_since = null, last_success_at = clock_timestamp()
            where id = ? and (failing_since is not null or last_success_at is null or last_success_at < clock_timestamp() - interval '5 seconds')`,
          [endpoint.id],
        );
        return 'succeeded';
      }
      if (verdict.kind === 'gone') {
        await tx.execute(
          `update webhook_endpoints set enabled = false, disabled_at = clock_timestamp(), last_failure_at = clock_timestamp(),
                  disabled_reason = ? where id = ? and enabled`,
          [`The receiver answered 410 Gone at ${new Date().toISOString()} (message ${row.message_id}): it asked us to stop sending.`, endpoint.id],
        );
        return 'disabled';
      }
      const [health] = await tx.execute<{ failing_since: Date }[]>(
        `update webhook_endpoints set failing_since = coalesce(failing_since, clock_timestamp()), last_failure_at = clock_timestamp()
          where id = ? returning failing_since`,
        [endpoint.id],
      );
      if (health && Date.now() - new Date(health.failing_since).getTime() >= disableAfterFailingSeconds * 1000) {
        await tx.execute(
          `update webhook_endpoints set enabled = false, disabled_at = clock_timestamp(), disabled_reason = ? where id = ? and enabled`,
          [
            `Every attempt failed since ${new Date(health.failing_since).toISOString()} (over ${formatSpan(disableAfterFailingSeconds)}); the last one: ${error}. Fix the receiver and enable the endpoint again: pending deliveries resume.`,
            endpoint.id,
          ],
        );
        return 'disabled';
      }
      return 'failed';
    });
  }
}

function formatSpan(seconds: number): string {
  if (seconds % 86400 === 0) return `${seconds / 86400} day${seconds === 86400 ? '' : 's'}`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  return `${seconds} s`;
}
