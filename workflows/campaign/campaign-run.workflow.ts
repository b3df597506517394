/**
 * campaign-run:<campaignId> — sends one campaign, on the campaigns task queue.
 *
 *  - Waits for `scheduledAt` on a Temporal timer (survives worker and server restarts); cancel ends the wait.
 *  - Pages through the audience by contact id (an activity reads `pageSize` ids after the cursor) and
 *    continues-as-new at the first page boundary after the run's history reached `runHistoryEvents`
 *    (or earlier, mid-page, when Temporal suggests it), carrying the cursor and the counters, so the
 *    history stays bounded whatever the audience size.
 *  - Without a rate limit, UNTHROTTLED_IN_FLIGHT batch activities run at once (one's database work
 *    overlaps another's provider calls).
 *  - Honours the rate limit with a schedule on workflow time: the k-th recipient of the run is due at
 *    start + k / rate. Each round hands the recipients due within the next second to one activity,
 *    which sends each at its due time (so short Temporal timers, which fire late on a busy server, do
 *    not make it bursty); overdue recipients (after a worker restart) are caught up at most
 *    BACKLOG_SECONDS' worth, and the activity sends them at most 5 % faster than the limit.
 *  - Each recipient is claimed in Postgres before the provider is called (see
 *    src/modules/campaigns/use-cases/send-campaign-batch.use-case.ts for the exactly-once reasoning);
 *    counters only count batches whose activity completed, and a retried batch reports recipients an
 *    earlier attempt finished with their recorded outcome, so every recipient is counted once.
 *  - Quiet hours: a recipient inside their quiet window is recorded `deferred` with the window's end;
 *    after the audience pass the run sends the deferred ones as they fall due (waiting on a timer for
 *    the next one), then completes.
 *  - Pause holds sending between batches, resume continues after the last recipient sent, cancel stops
 *    after the batch in flight and records the campaign as cancelled.
 */
import {
  ActivityFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { CampaignActivities } from '../../activities/campaign.activities';
import {
  cancelCampaignSignal,
  campaignProgressQuery,
  type CampaignRunWorkflow,
  type CampaignRunProgress,
  type CampaignRunState,
  pauseCampaignSignal,
  resumeCampaignSignal,
} from '../contracts/campaign.contract';

/** For runs started without them (the API passes CAMPAIGN_PAGE_SIZE and CAMPAIGN_RUN_HISTORY_EVENTS). */
const DEFAULT_PAGE_SIZE = 1000;
const DEFAULT_RUN_HISTORY_EVENTS = 500;
/** How much overdue sending the rate limiter catches up at once (see the header). */
const BACKLOG_SECONDS = 1;
/** Rate-limited rounds hand out the recipients due within this window. */
const LOOKAHEAD_MS = 1000;
/** Recipients per activity call when there is no rate limit ... */
const UNTHROTTLED_BATCH = 200;
/** ... and such calls at once. */
const UNTHROTTLED_IN_FLIGHT = 2;

type CampaignBatchResult = Awaited<ReturnType<CampaignActivities['sendCampaignBatch']>>;

const bookkeeping = proxyActivities<CampaignActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '500 ms', maximumInterval: '10 seconds', nonRetryableErrorTypes: ['DomainError'] },
});
const sending = proxyActivities<CampaignActivities>({
  startToCloseTimeout: '2 minutes',
  // The batch heartbeats after every recipient: a worker that dies mid-batch is noticed in seconds.
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '500 ms', maximumInterval: '10 seconds', nonRetryableErrorTypes: ['DomainError'] },
});

export const campaignRunWorkflow: CampaignRunWorkflow = async (input) => {
  const { campaignId } = input;
  const state: CampaignRunState = input.state ?? {
    cursor: null,
    counters: { sent: 0, failed: 0, skipped: 0, optedOut: 0, deferred: 0 },
    paused: false,
    cancelled: false,
    startedAt: null,
    runs: 0,
  };
  let phase: CampaignRunProgress['phase'] = state.startedAt === null ? 'waiting' : 'sending';

  setHandler(pauseCampaignSignal, () => {
    state.paused = true;
  });
  setHandler(resumeCampaignSignal, () => {
    state.paused = false;
  });
  setHandler(cancelCampaignSignal, () => {
    state.cancelled = true;
  });
  setHandler(campaignProgressQuery, () => {
    const c = state.counters;
    const processed = c.sent + c.failed + c.skipped + c.optedOut;
    const seconds = state.startedAt === null ? 0 : (Date.now() - state.startedAt) / 1000;
    return {
      ...state,
      counters: { ...c },
      phase: state.paused && phase === 'sending' ? 'paused' : phase,
      rate: seconds > 0 ? Math.round((processed / seconds) * 100) / 100 : 0,
    };
  });

  const finish = async (status: 'completed' | 'cancelled' | 'failed', reason: string | null): Promise<CampaignRunState> => {
    phase = 'finished';
    await bookkeeping.finishCampaign({ campaignId, status, reason });
    return state;
  };

  try {
    if (state.startedAt === null) {
      const waitMs = input.scheduledAt === null ? 0 : input.scheduledAt - Date.now();
      if (waitMs > 0) await condition(() => state.cancelled, waitMs);
      if (state.cancelled) return await finish('cancelled', 'cancelled before it started');
      await bookkeeping.markCampaignRunning({ campaignId });
      state.startedAt = Date.now();
      phase = 'sending';
    }

    const rate = input.rateLimitPerSecond;
    const tickMs = rate === null ? 0 : Math.max(100, Math.ceil(1000 / rate));
    const pageSize = input.pageSize ?? DEFAULT_PAGE_SIZE;
    const runHistoryEvents = input.runHistoryEvents ?? DEFAULT_RUN_HISTORY_EVENTS;
    const nextRun = async (cursor: string | null): Promise<never> => {
      state.cursor = cursor;
      await condition(allHandlersFinished);
      return continueAsNew<CampaignRunWorkflow>({ ...input, state: { ...state, runs: state.runs + 1 } });
    };

    /**
     * Sends `ids` in order under the rate limit. Returns false when cancelled. Continues-as-new in the
     * middle when Temporal suggests it (the cursor then points at the last id sent).
     */
    const apply = (result: CampaignBatchResult) => {
      state.counters.sent += result.sent;
      state.counters.failed += result.failed;
      state.counters.skipped += result.skipped;
      state.counters.optedOut += result.optedOut;
      state.counters.deferred += result.deferred;
    };

    /**
     * Sends `ids` in order under the rate limit. Returns false when cancelled. Continues-as-new in the
     * middle when Temporal suggests it (the cursor then points at the last id sent).
     */
    const sendAll = async (ids: string[], continueWith: (lastSent: string) => Promise<never>): Promise<boolean> => {
      if (rate === null) return sendUnthrottled(ids, continueWith);
      // Recipient k of the run (counting across pages and runs) is due at bucket.start + k / rate:
      // each round hands out the ones due within the next LOOKAHEAD_MS and the activity sends each at
      // its due time (real-time pacing in the activity: smooth, and independent of timer latency).
      const bucket = (state.bucket ??= { start: Date.now(), taken: 0 });
      let i = 0;
      while (i < ids.length) {
        if (state.paused && !state.cancelled) {
          await condition(() => !state.paused || state.cancelled);
          bucket.start = Date.now();
          bucket.taken = 0;
        }
        if (state.cancelled) return false;

        const now = Date.now();
        // At most BACKLOG_SECONDS overdue (after a worker restart): those go at once, the rest on schedule.
        const floor = Math.floor((rate * (now - bucket.start)) / 1000) - rate * BACKLOG_SECONDS;
        if (bucket.taken < floor) bucket.taken = floor;
        const n = Math.floor((rate * (now + LOOKAHEAD_MS - bucket.start)) / 1000) - bucket.taken;
        if (n <= 0) {
          await condition(() => state.paused || state.cancelled, tickMs);
          continue;
        }
        const pace = { firstDueAt: bucket.start + (bucket.taken * 1000) / rate, intervalMs: 1000 / rate };
        const batch = ids.slice(i, i + n);
        apply(await sending.sendCampaignBatch({ campaignId, contactIds: batch, pace }));
        bucket.taken += batch.length;
        i += batch.length;
        if (i < ids.length && workflowInfo().continueAsNewSuggested) await continueWith(ids[i - 1]);
      }
      return !state.cancelled;
    };

    /**
     * No rate limit: UNTHROTTLED_IN_FLIGHT batches at once, so one batch's database work overlaps
     * another's provider calls. Pause, cancel and continue-as-new wait for the batches in flight (the
     * cursor then points at the last id of the page handed out, all of which completed).
     */
    const sendUnthrottled = async (ids: string[], continueWith: (lastSent: string) => Promise<never>): Promise<boolean> => {
      const inFlight = new Set<Promise<void>>();
      let failure: unknown = null;
      const drain = async () => {
        while (inFlight.size) await Promise.race(inFlight);
        if (failure !== null) throw failure;
      };
      let i = 0;
      while (i < ids.length) {
        if (state.paused && !state.cancelled) {
          await drain();
          await condition(() => !state.paused || state.cancelled);
        }
        if (state.cancelled) break;
        if (i > 0 && workflowInfo().continueAsNewSuggested) {
          await drain();
          await continueWith(ids[i - 1]);
        }
        const batch = ids.slice(i, i + UNTHROTTLED_BATCH);
        i += batch.length;
        const call: Promise<void> = sending
          .sendCampaignBatch({ campaignId, contactIds: batch })
          .then(apply, (err: unknown) => {
            failure ??= err;
          })
          .finally(() => inFlight.delete(call));
        inFlight.add(call);
        if (inFlight.size >= UNTHROTTLED_IN_FLIGHT) await Promise.race(inFlight);
        if (failure !== null) break;
      }
      await drain();
      return !state.cancelled;
    };

    // Pass 1: the audience, page by page.
    while ((state.pass ?? 'audience') === 'audience') {
      const page = await bookkeeping.loadAudiencePage({ campaignId, after: state.cursor, limit: pageSize });
      if (page.length === 0) {
        state.pass = 'deferred';
        break;
      }
      if (!(await sendAll(page, (last) => nextRun(last)))) return await finish('cancelled', 'cancelled by a manager');
      state.cursor = page[page.length - 1];
      // A new run once this one's history is long enough (runs much shorter than a second would make
      // the server hold back the next one: it spaces runs of one workflow id by about a second).
      if (workflowInfo().historyLength >= runHistoryEvents || workflowInfo().continueAsNewSuggested) await nextRun(state.cursor);
    }

    // Pass 2: recipients deferred by quiet hours, each when its window ends.
    for (;;) {
      if (state.cancelled) return await finish('cancelled', 'cancelled by a manager');
      const deferred = await bookkeeping.loadDeferredRecipients({ campaignId, limit: pageSize });
      if (deferred.deferred === 0) return await finish('completed', null);
      if (deferred.due.length === 0) {
        phase = 'quiet-hours';
        delete state.bucket; // a fresh bucket after the wait
        await condition(() => state.cancelled, Math.max(1000, (deferred.nextAt ?? Date.now()) - Date.now()));
        phase = 'sending';
        continue;
      }
      if (!(await sendAll(deferred.due, () => nextRun(null)))) return await finish('cancelled', 'cancelled by a manager');
      if (workflowInfo().continueAsNewSuggested) await nextRun(null);
    }
  } catch (err) {
    if (err instanceof ActivityFailure) {
      return await finish('failed', (err.cause?.message ?? err.message).slice(0, 500));
    }
    throw err;
  }
};
