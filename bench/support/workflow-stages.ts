/**
 * Where the time goes, read from a sample of conversation workflow histories: of a conversation's
 * first assignment (workflowStages) and of a rule timer's lateness (timerStages).
 */
import type { Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { conversationWorkflowId } from '../../workflows/contracts/conversation.contract';
import { percentile } from './distribution';
import type { Sample } from './load';
import { log } from './run';

const asNumber = (v: unknown) => (typeof v === 'number' ? v : Number(String(v)));

/** Collects values per stage; `summary()` answers p50/p90 (and the max, when asked) and the count of each. */
function stageValues(withMax = false) {
  const values: Record<string, number[]> = {};
  return {
    add: (key: string, v: number | undefined) => v !== undefined && Number.isFinite(v) && (values[key] ??= []).push(v),
    summary: () =>
      Object.fromEntries(
        Object.entries(values).map(([key, v]) => {
          const sorted = [...v].sort((a, b) => a - b);
          return [key, { p50: percentile(sorted, 50), p90: percentile(sorted, 90), ...(withMax ? { max: sorted[sorted.length - 1] } : {}), n: v.length }];
        }),
      ),
  };
}

/**
 * For up to `n` assigned conversations spread over the phase, reads conversation:<id>'s history up
 * to its first routeConversation result: how long workflow tasks and each activity waited for the
 * worker (queueMs: scheduled -> started) and ran (runMs), and the steps from POST to workflow start
 * and from workflow start to the stored assignment. p50/p90 over the sample.
 */
export async function workflowStages(client: Client, samples: Sample[], n = 20) {
  const assigned = samples.filter((s) => s.assignedAt !== undefined);
  const step = Math.max(1, Math.floor(assigned.length / n));
  const picked = assigned.filter((_, i) => i % step === 0).slice(0, n);
  const { add, summary } = stageValues();
  for (const sample of picked) {
    let events;
    try {
      events = (await client.workflow.getHandle(conversationWorkflowId(sample.conversationId!)).fetchHistory()).events ?? [];
    } catch (err) {
      log(`  history of ${sample.conversationId}: ${(err as Error).message}`);
      continue;
    }
    if (events.length === 0) continue;
    const startedAt = tsToMs(events[0].eventTime);
    add('postStartToWorkflowStarted', startedAt - sample.postStart);
    add('workflowStartedToAssignmentStored', sample.assignedAt! - startedAt);
    const scheduled = new Map<number, { name: string; at: number; startedAt?: number }>();
    let wftScheduledAt: number | undefined;
    let wftStartedAt: number | undefined;
    for (const e of events) {
      const at = tsToMs(e.eventTime);
      if (e.workflowTaskScheduledEventAttributes) wftScheduledAt = at;
      else if (e.workflowTaskStartedEventAttributes) {
        add('workflowTask.queueMs', wftScheduledAt === undefined ? undefined : at - wftScheduledAt);
        wftStartedAt = at;
      } else if (e.workflowTaskCompletedEventAttributes) add('workflowTask.runMs', wftStartedAt === undefined ? undefined : at - wftStartedAt);
      else if (e.activityTaskScheduledEventAttributes) {
        scheduled.set(asNumber(e.eventId), { name: e.activityTaskScheduledEventAttributes.activityType?.name ?? '?', at });
      } else if (e.activityTaskStartedEventAttributes) {
        const activity = scheduled.get(asNumber(e.activityTaskStartedEventAttributes.scheduledEventId));
        if (activity) {
          activity.startedAt = at;
          add(`${activity.name}.queueMs`, at - activity.at);
        }
      } else if (e.activityTaskCompletedEventAttributes) {
        const activity = scheduled.get(asNumber(e.activityTaskCompletedEventAttributes.scheduledEventId));
        if (activity) add(`${activity.name}.runMs`, activity.startedAt === undefined ? undefined : at - activity.startedAt);
        if (activity?.name === 'routeConversation') break;
      }
    }
  }
  return summary();
}

/** One fired rule timer: its conversation, when it was due and when the firing was recorded. */
export interface FiredTimer {
  conversationId: string;
  dueMs: number;
  firedMs: number;
}

/** A timer in a history: when it fires, its duration, and the workflow task that armed it (started, completed). */
interface TimerStart {
  fireAt: number;
  durationMs: number;
  taskStartedAt?: number;
  taskCompletedAt?: number;
}

/**
 * Where a rule timer's lateness goes, read from the conversation workflow's history, over the timer
 * whose fire time (TimerStarted + startToFireTimeout) is closest to the due time:
 *  - fireTimeMinusDueMs: that fire time against the due time (how late the timer started);
 *  - armingTaskRunMs, armingClockMinusTaskStartedMs: how long the task that armed it ran, and how far
 *    into that task the time was that the workflow measured from (due - duration);
 *  - serverFiredLateMs: TimerFired after the fire time;
 *  - taskQueueWaitMs: the workflow task it scheduled, scheduled -> started;
 *  - taskStartedToFiringMs: task started -> the firing recorded (a workflow not in the worker's cache
 *    is fetched and replayed first);
 *  - failedOrTimedOutWorkflowTasks on the way, and lateMs itself.
 * p50/p90/max over the given timers.
 */
export async function timerStages(client: Client, timers: FiredTimer[]) {
  const { add, summary } = stageValues(true);
  let retriedTasks = 0;
  for (const timer of timers) {
    let events;
    try {
      events = (await client.workflow.getHandle(conversationWorkflowId(timer.conversationId)).fetchHistory()).events ?? [];
    } catch (err) {
      log(`  history of ${timer.conversationId}: ${(err as Error).message}`);
      continue;
    }
    const started = new Map<number, TimerStart>();
    let taskStartedAt: number | undefined;
    let taskCompletedAt: number | undefined;
    let fired: { index: number; at: number; timer: TimerStart } | undefined;
    events.forEach((e, index) => {
      const at = tsToMs(e.eventTime);
      if (e.workflowTaskStartedEventAttributes) taskStartedAt = at;
      else if (e.workflowTaskCompletedEventAttributes) taskCompletedAt = at;
      else if (e.timerStartedEventAttributes) {
        const durationMs = tsToMs(e.timerStartedEventAttributes.startToFireTimeout);
        started.set(asNumber(e.eventId), { fireAt: at + durationMs, durationMs, taskStartedAt, taskCompletedAt });
      } else if (e.timerFiredEventAttributes) {
        const t = started.get(asNumber(e.timerFiredEventAttributes.startedEventId));
        if (t && at >= timer.dueMs - 1000 && (!fired || Math.abs(t.fireAt - timer.dueMs) < Math.abs(fired.timer.fireAt - timer.dueMs))) fired = { index, at, timer: t };
      }
    });
    if (!fired) continue;
    const arming = fired.timer;
    add('fireTimeMinusDueMs', arming.fireAt - timer.dueMs);
    if (arming.taskStartedAt !== undefined && arming.taskCompletedAt !== undefined) add('armingTaskRunMs', arming.taskCompletedAt - arming.taskStartedAt);
    if (arming.taskStartedAt !== undefined) add('armingClockMinusTaskStartedMs', timer.dueMs - arming.durationMs - arming.taskStartedAt);
    add('serverFiredLateMs', fired.at - arming.fireAt);
    let scheduledAt: number | undefined;
    for (const e of events.slice(fired.index + 1)) {
      const at = tsToMs(e.eventTime);
      if (e.workflowTaskScheduledEventAttributes) scheduledAt ??= at;
      else if (e.workflowTaskTimedOutEventAttributes || e.workflowTaskFailedEventAttributes) retriedTasks += 1;
      else if (e.workflowTaskStartedEventAttributes && at <= timer.firedMs) {
        if (scheduledAt !== undefined) add('taskQueueWaitMs', at - scheduledAt);
        add('taskStartedToFiringMs', timer.firedMs - at);
        break;
      }
    }
    add('lateMs', timer.firedMs - timer.dueMs);
  }
  return { ...summary(), failedOrTimedOutWorkflowTasks: retriedTasks };
}
