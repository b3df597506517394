/**
 * The lifecycle bench's offered load: inbound messages from new contacts (one new conversation
 * each) POSTed to /api/v1/inboxes/:id/inbound-messages on a fixed schedule (open loop: message i
 * leaves at t0 + i/rate whether or not earlier ones were answered), one Sample per message; an
 * AssignmentTracker that polls Postgres for each conversation's 'assigned' decision; and the
 * summary of a phase (rates, latency distributions, errors, backlog).
 *
 * Latency = the 'assigned' decision's created_at (clock_timestamp() inside the routing transaction,
 * this machine's clock) minus the POST start (Date.now(), same clock); also given as seen by the poller.
 */
import type { Client as PgClient } from 'pg';
import { distribution, round } from './distribution';
import { log, sleep } from './run';

export interface Sample {
  scheduledAt: number;
  postStart: number;
  postEnd?: number;
  conversationId?: string;
  error?: string;
  /** The 'assigned' decision's created_at, epoch ms (Postgres clock_timestamp()). */
  assignedAt?: number;
  /** When the poller saw it. */
  observedAt?: number;
}

/** Where the messages go, and the run's tag that keeps their contacts apart from other runs'. */
export interface InboundTarget {
  base: string;
  token: string;
  inboxId: string;
  run: string;
  tracker: AssignmentTracker;
}

/** Polls conversation_decisions every `intervalMs` for the conversations still waiting for their assignment. */
export class AssignmentTracker {
  private readonly pending = new Map<string, Sample>();
  private stopped = false;
  private loop?: Promise<void>;
  queries = 0;

  constructor(
    private readonly db: PgClient,
    readonly intervalMs: number,
  ) {}

  start(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        if (this.pending.size > 0) await this.poll();
        await sleep(this.intervalMs);
      }
    })();
  }

  track(sample: Sample): void {
    this.pending.set(sample.conversationId!, sample);
  }

  private async poll(): Promise<void> {
    const ids = [...this.pending.keys()];
    this.queries += 1;
    const { rows } = await this.db.query<{ conversation_id: string; at_ms: string }>(
      `select conversation_id, min(extract(epoch from created_at) * 1000)::float8 as at_ms
         from conversation_decisions where kind = 'assigned' and conversation_id = any($1::uuid[])
        group by conversation_id`,
      [ids],
    );
    const seen = Date.now();
    for (const row of rows) {
      const sample = this.pending.get(row.conversation_id);
      if (!sample) continue;
      sample.assignedAt = Number(row.at_ms);
      sample.observedAt = seen;
      this.pending.delete(row.conversation_id);
    }
  }

  /** Waits until every sample that created a conversation is assigned, or the time is up. */
  async settle(samples: Sample[], timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    let lastReport = Date.now();
    for (;;) {
      const left = samples.filter((s) => s.conversationId && s.assignedAt === undefined).length;
      if (left === 0) return true;
      if (Date.now() > deadline) return false;
      if (Date.now() - lastReport > 10_000) {
        log(`  waiting for ${left} assignments`);
        lastReport = Date.now();
      }
      await sleep(50);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}

async function postInbound(target: InboundTarget, sourceId: string, sample: Sample): Promise<void> {
  sample.postStart = Date.now();
  try {
    const res = await fetch(`${target.base}/api/v1/inboxes/${target.inboxId}/inbound-messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${target.token}` },
      body: JSON.stringify({ contact: { sourceId, name: `Contact ${sourceId}` }, content: `Hello, I need help with order ${sourceId}` }),
    });
    const text = await res.text();
    sample.postEnd = Date.now();
    if (res.status !== 201) {
      sample.error = `${res.status} ${text.slice(0, 300)}`;
      return;
    }
    sample.conversationId = (JSON.parse(text) as { conversationId: string }).conversationId;
    target.tracker.track(sample);
  } catch (err) {
    sample.postEnd = Date.now();
    const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause;
    sample.error = `${(err as Error).message}${cause ? ` (${[cause.code, cause.message].filter(Boolean).join(': ')})` : ''}`;
  }
}

/** Open loop: message i is sent at t0 + i/rate whether or not earlier ones have been answered. */
export async function offer(target: InboundTarget, label: string, rate: number, count: number): Promise<Sample[]> {
  const samples: Sample[] = [];
  const sends: Promise<void>[] = [];
  const interval = 1000 / rate;
  const t0 = Date.now() + 20;
  for (let i = 0; i < count; i++) {
    const due = t0 + i * interval;
    const wait = due - Date.now();
    if (wait >= 1) await sleep(wait);
    const sample: Sample = { scheduledAt: due, postStart: 0 };
    samples.push(sample);
    sends.push(postInbound(target, `${target.run}-${label}-${i}`, sample));
  }
  await Promise.all(sends);
  return samples;
}

/** One phase's figures: what was sent and stored per second, latencies, errors, and how far behind the worker was. */
export function summarize(offeredPerSecond: number, seconds: number, samples: Sample[], settled: boolean) {
  const ok = samples.filter((s) => s.conversationId);
  const failed = samples.filter((s) => s.error);
  const assigned = ok.filter((s) => s.assignedAt !== undefined);
  const starts = samples.map((s) => s.postStart).sort((a, b) => a - b);
  const assignedTimes = assigned.map((s) => s.assignedAt!).sort((a, b) => a - b);
  const firstPost = starts[0];
  const lastPost = starts[starts.length - 1];
  const span = (a: number[]) => (a.length > 1 ? (a[a.length - 1] - a[0]) / 1000 : NaN);
  const perSecond = (a: number[]) => (a.length > 1 ? round((a.length - 1) / span(a)) : null);
  return {
    offeredPerSecond,
    seconds,
    messages: samples.length,
    sentPerSecond: perSecond(starts),
    /** Assignments stored per second, from the first to the last assignment of this phase. */
    sustainedPerSecond: perSecond(assignedTimes),
    assigned: assigned.length,
    notAssigned: ok.length - assigned.length,
    errors: failed.length,
    errorSamples: [...new Set(failed.map((s) => s.error))].slice(0, 3),
    errorAfterMs: failed.length ? distribution(failed.map((s) => s.postEnd! - s.postStart)) : null,
    latencyMs: distribution(assigned.map((s) => s.assignedAt! - s.postStart)),
    latencyPolledMs: distribution(assigned.map((s) => s.observedAt! - s.postStart)),
    postMs: distribution(samples.filter((s) => s.postEnd).map((s) => s.postEnd! - s.postStart)),
    maxScheduleLagMs: Math.round(Math.max(...samples.map((s) => s.postStart - s.scheduledAt))),
    /** From the last POST to the last assignment: how far behind the worker was when sending stopped. */
    drainAfterLastPostSeconds: assignedTimes.length ? round((assignedTimes[assignedTimes.length - 1] - lastPost) / 1000, 2) : null,
    firstPostToLastAssignmentSeconds: assignedTimes.length ? round((assignedTimes[assignedTimes.length - 1] - firstPost) / 1000, 2) : null,
    allAssignedInTime: settled,
  };
}

export type PhaseSummary = ReturnType<typeof summarize>;
