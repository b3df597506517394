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
