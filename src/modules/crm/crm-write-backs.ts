import type { EntityManager } from '@mikro-orm/postgresql';

/** One HTTP attempt of a write-back (from the webhooks pipeline's delivery log). */
export interface CrmWriteBackAttempt {
  at: string;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  succeeded: boolean;
  responseExcerpt: string | null;
}

/** One write-back: the crm_calls row joined with its webhook delivery and every attempt (oldest first). */
export interface CrmWriteBack {
  callId: string;
  connectorId: string;
  contactId: string;
  /** The webhook message id: the webhook-id and Idempotency-Key headers. */
  idempotencyKey: string;
  deliveryId: string | null;
  conversationId: string | null;
  /** pending, succeeded, failed; null: the delivery is gone (its endpoint was deleted). */
  status: string | null;
  /** The attribute values sent (null: cleared). */
  attributes: Record<string, string | null>;
  enqueuedAt: string;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  /** Attempts in the delivery's current schedule (a redelivery starts a new one). */
  scheduleAttempts: number | null;
  attempts: CrmWriteBackAttempt[];
}

export interface CrmWriteBackFilter {
  connectorId?: string;
  contactId?: string;
  /** Only these crm_calls rows. */
  callIds?: string[];
  /** Only those with a call id below this (the next page). */
  before?: string;
  limit: number;
}

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());

/**
 * The write-backs of a connector and/or a contact, newest first: each enqueued write-back (crm_calls,
 * kind write_back) with its delivery in the webhooks pipeline (state, next attempt) and every attempt
 * (time, status code, duration, error, the start of the answer).
 */
export async function loadCrmWriteBacks(em: EntityManager, f: CrmWriteBackFilter): Promise<CrmWriteBack[]> {
  const where: string[] = [`c.kind = 'write_back'`, 'c.message_id is not null'];
  const params: unknown[] = [];
  if (f.connectorId) {
    where.push('c.connector_id = ?');
    params.push(f.connectorId);
  }
  if (f.contactId) {
    where.push('c.contact_id = ?');
    params.push(f.contactId);
  }
  if (f.callIds) {
    if (f.callIds.length === 0) return [];
    where.push('c.id in (?)');
    params.push(f.callIds);
  }
  if (f.before) {
    where.push('c.id < ?');
    params.push(f.before);
  }
  params.push(f.limit);
  const rows = await em.execute<
    {
      call_id: string;
      connector_id: string;
      contact_id: string;
      message_id: string;
      at: Date;
      delivery_id: string | null;
      conversation_id: string | null;
      status: string | null;
      schedule_attempts: number | null;
      next_attempt_at: Date | null;
      delivered_at: Date | null;
      body: string | null;
    }[]
  >(
    `select c.id::text as call_id, c.connector_id, c.contact_id, c.message_id, c.at, d.id::text as delivery_id, d.conversation_id, d.status, d.attempts as schedule_attempts,
            d.next_attempt_at, d.delivered_at, m.body
       from crm_calls c
       join crm_connectors k on k.id = c.connector_id
       left join webhook_deliveries d on d.message_id = c.message_id and d.endpoint_id = k.webhook_endpoint_id
       left join webhook_messages m on m.id = c.message_id
      where ${where.join(' and ')}
      order by c.id desc
      limit ?`,
    params,
  );
  const deliveryIds = rows.map((r) => r.delivery_id).filter((d): d is string => d !== null);
  const attempts = new Map<string, CrmWriteBackAttempt[]>();
  if (deliveryIds.length) {
    const found = await em.execute<{ delivery_id: string; attempted_at: Date; status_code: number | null; duration_ms: number; error: string | null; succeeded: boolean; response_excerpt: string | null }[]>(
      `select delivery_id::text as delivery_id, attempted_at, status_code, duration_ms, error, succeeded, response_excerpt
         from webhook_attempts where delivery_id in (?) order by id`,
      [deliveryIds],
    );
    for (const a of found) {
      const list = attempts.get(a.delivery_id) ?? [];
      list.push({ at: iso(a.attempted_at)!, statusCode: a.status_code, durationMs: a.duration_ms, error: a.error, succeeded: a.succeeded, responseExcerpt: a.response_excerpt });
      attempts.set(a.delivery_id, list);
    }
  }
  return rows.map((r) => ({
    callId: r.call_id,
    connectorId: r.connector_id,
    contactId: r.contact_id,
    idempotencyKey: r.message_id,
    deliveryId: r.delivery_id,
    conversationId: r.conversation_id,
    status: r.status,
    attributes: attributesOf(r.body),
    enqueuedAt: iso(r.at)!,
    nextAttemptAt: r.status === 'pending' ? iso(r.next_attempt_at) : null,
    deliveredAt: iso(r.delivered_at),
    scheduleAttempts: r.schedule_attempts,
    attempts: r.delivery_id ? (attempts.get(r.delivery_id) ?? []) : [],
  }));
}

function attributesOf(body: string | null): Record<string, string | null> {
  if (!body) return {};
  try {
    const parsed = JSON.parse(body) as { data?: { attributes?: Record<string, string | null> } };
    return parsed.data?.attributes ?? {};
  } catch {
    return {};
  }
}
