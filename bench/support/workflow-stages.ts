/**
 * Where the time of a conversation's first assignment goes, read from a sample of conversation
 * workflow histories: the steps from POST to workflow start and from workflow start to the stored
 * assignment, and how long workflow tasks and each activity waited for the worker and ran.
 */
import type { Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { conversationWorkflowId } from '../../workflows/contracts/conversation.contract';
import { percentile } from './distribution';
import type { Sample } from './load';
import { log } from './run';

const asNumber = (v: unknown) => (typeof v === 'number' ? v : Number(String(v)));

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
  const values: Record<string, number[]> = {};
  const add = (key: string, v: number | undefined) => v !== undefined && Number.isFinite(v) && (values[key] ??= []).push(v);
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
  return Object.fromEntries(
    Object.entries(values).map(([key, v]) => {
      const sorted = [...v].sort((a, b) => a - b);
      return [key, { p50: percentile(sorted, 50), p90: percentile(sorted, 90), n: v.length }];
    }),
  );
}

/** One fired rule timer: its conversation, when it was due and when the firing was recorded. */
export interface FiredTimer {
  conversationId: string;
  dueMs: number;
  firedMs: number;
}

/**
 * Where a rule timer's lateness goes, read from the conversation workflow's history: the server's
 * share (the timer's TimerFired after its own fire time: TimerStarted + startToFireTimeout), the wait
 * of the workflow task it scheduled for the worker (scheduled -> started), failed or timed-out
 * workflow tasks on the way, and the worker's share (task started -> the firing recorded, which
 * includes the replay of a workflow that was not in the worker's cache). Also how far the timer's own
 * fire time is from the due time (the workflow computes it). p50/p90/max over the given timers.
 */
export async function timerStages(client: Client, timers: FiredTimer[]) {
  const values: Record<string, number[]> = {};
  const add = (key: string, v: number | undefined) => v !== undefined && Number.isFinite(v) && (values[key] ??= []).push(v);
  let retriedTasks = 0;
  for (const timer of timers) {
    let events;
    try {
      events = (await client.workflow.getHandle(conversationWorkflowId(timer.conversationId)).fetchHistory()).events ?? [];
    } catch (err) {
      log(`  history of ${timer.conversationId}: ${(err as Error).message}`);
      continue;
    }
    // The timer that fired closest after the due time (the idle rule's; the workflow re-arms on every event).
    // Per timer: its fire time, and the workflow task that armed it (started, completed).
    const started = new Map<number, { fireAt: number; durationMs: number; at: number; taskStartedAt?: number; taskCompletedAt?: number }>();
    let taskStartedAt: number | undefined;
    let taskCompletedAt: number | undefined;
    let fired: { index: number; at: number; fireAt: number; arming: { durationMs: number; at: number; taskStartedAt?: number; taskCompletedAt?: number } } | undefined;
    events.forEach((e, index) => {
      const at = tsToMs(e.eventTime);
      if (e.workflowTaskStartedEventAttributes) taskStartedAt = at;
      else if (e.workflowTaskCompletedEventAttributes) taskCompletedAt = at;
      else if (e.timerStartedEventAttributes) {
        const durationMs = tsToMs(e.timerStartedEventAttributes.startToFireTimeout);
        started.set(asNumber(e.eventId), { fireAt: at + durationMs, durationMs, at, taskStartedAt, taskCompletedAt });
      } else if (e.timerFiredEventAttributes) {
        const timerStarted = started.get(asNumber(e.timerFiredEventAttributes.startedEventId));
        if (timerStarted && at >= timer.dueMs - 1000 && (!fired || Math.abs(timerStarted.fireAt - timer.dueMs) < Math.abs(fired.fireAt - timer.dueMs))) {
          fired = { index, at, fireAt: timerStarted.fireAt, arming: timerStarted };
        }
      }
    });
    if (!fired) continue;
    add('fireTimeMinusDueMs', fired.fireAt - timer.dueMs);
    // The task that armed it: how long it ran, and the time the workflow measured from (due - duration) against its start.
    const { arming } = fired;
    if (arming.taskStartedAt !== undefined && arming.taskCompletedAt !== undefined) add('armingTaskRunMs', arming.taskCompletedAt - arming.taskStartedAt);
    if (arming.taskStartedAt !== undefined) add('armingClockMinusTaskStartedMs', timer.dueMs - arming.durationMs - arming.taskStartedAt);
    add('serverFiredLateMs', fired.at - fired.fireAt);
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
  const stages = Object.fromEntries(
    Object.entries(values).map(([key, v]) => {
      const sorted = [...v].sort((a, b) => a - b);
      return [key, { p50: percentile(sorted, 50), p90: percentile(sorted, 90), max: sorted[sorted.length - 1], n: v.length }];
    }),
  );
  return { ...stages, failedOrTimedOutWorkflowTasks: retriedTasks };
}
