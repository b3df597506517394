/**
 * conversation:<id> — one workflow per conversation. Started or signalled (signalWithStart) on every
 * inbound message; told by `conversationChanged` when the API changes the conversation. It owns the
 * order of the conversation's automatic steps and their timers:
 *
 *  - per inbound message: welcome (once per conversation), out-of-office (once per closed period),
 *    routing (rules > AI agent > human agents through the queue), the AI agent's answer or handover;
 *  - on every change: search attributes (status, assignee, VIP, inbox) kept current; a seat freed
 *    by resolve, unassign or move drains the inbox's queue; a resolution schedules the CSAT survey
 *    after the inbox's delay, and a reopen before it is due cancels it;
 *  - after those lifecycle steps: the automation rules over the conversation's new events (its event
 *    log in Postgres), and the time-based rules on a Temporal timer (the activity answers when the
 *    next one is due; events re-arm or cancel it). Added behind patched(AUTOMATION_RULES): workflows
 *    started before run it from their next step on.
 *
 * Every decision is taken by an activity that records it in Postgres and returns it, so it is in
 * this workflow's history as well (as a local activity marker). Long conversations continue-as-new
 * once Temporal suggests it, after running handlers finished, carrying unhandled messages and the
 * pending survey.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { ConversationActivities } from '../../activities/conversation.activities';
import {
  conversationChangedSignal,
  type ConversationSnapshot,
  conversationStateQuery,
  type ConversationWorkflow,
  type ConversationWorkflowState,
  inboundMessageSignal,
  type PendingCsat,
} from '../contracts/conversation.contract';
import { AssigneeId, Channel, ConversationStatus, InboxId, UNASSIGNED, Vip } from '../contracts/search-attributes';

/**
 * The conversation's own steps are short database work: local activities run them inside the
 * workflow task (their results are markers in the history, so every decision is still there)
 * without a round trip through the server per step, several times cheaper for Temporal.
 */
const activities = proxyLocalActivities<ConversationActivities>({
  startToCloseTimeout: '30 seconds',
  localRetryThreshold: '10 seconds',
  retry: { initialInterval: '500 ms', maximumInterval: '10 seconds', nonRetryableErrorTypes: ['DomainError'] },
});

/** The AI agent waits on a model: give it the model's timeout and some room. */
const aiActivities = proxyActivities<ConversationActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 3, nonRetryableErrorTypes: ['DomainError'] },
});

const ACTIVE = new Set(['new', 'open', 'pending']);

/** The patch that added the automation step (see the README, "Changing workflow code"). */
export const AUTOMATION_RULES_PATCH = 'automation-rules';
/**
 * The patch after which a rule's own changes (resolve, unassign, move...) reach the snapshot through
 * the pass's answer in the same workflow task, instead of a signal to this workflow and a task more.
 */
export const AUTOMATION_OWN_CHANGES_PATCH = 'automation-own-changes';
/**
 * The patch after which welcome, out-of-office and routing of an inbound message run as one local
 * activity (inboundSteps) instead of three: fewer markers, activations and statements per message.
 */
export const INBOUND_STEPS_PATCH = 'inbound-steps';
/** The patch after which the pass answers its evaluations in the compact form (each value the rules read once per event). */
export const AUTOMATION_COMPACT_HISTORY_PATCH = 'automation-compact-history';
/**
 * Every patched() call on a run that has not recorded it is a marker in the history and, recorded
 * with it by the SDK's core, an upsert of the TemporalChangeVersion search attribute: on a fresh run
 * each patch above cost two history events and one write to Temporal's visibility store. A run that
 * starts on this code asks for this patch once, first thing, and takes every patch of SHAPE_PATCHES
 * without asking for it (one marker and one upsert instead of four of each). A run that started
 * before has no such marker at its start, so it replays with `false` and asks for each patch where it
 * used to. A later patch is asked for as usual; when several have piled up, a new shape patch (and
 * set) takes them in, and this one stays for the runs started on it.
 */
export const CONVERSATION_SHAPE_PATCH = 'conversation-shape-1';
const SHAPE_PATCHES: ReadonlySet<string> = new Set([AUTOMATION_RULES_PATCH, AUTOMATION_OWN_CHANGES_PATCH, INBOUND_STEPS_PATCH, AUTOMATION_COMPACT_HISTORY_PATCH]);

export const conversationWorkflow: ConversationWorkflow = async (input) => {
  const { conversationId } = input;
  // First, before any other command (see CONVERSATION_SHAPE_PATCH).
  const shape = patched(CONVERSATION_SHAPE_PATCH);
  const has = (patch: string): boolean => (shape && SHAPE_PATCHES.has(patch)) || patched(patch);
  const state: ConversationWorkflowState = input.state ?? { welcomeHandled: false, inboundHandled: 0 };
  const pending: string[] = [...(state.pendingMessages ?? [])];
  let changePending = state.changePending ?? false;
  let snapshot: ConversationSnapshot | undefined = state.snapshot;
  let csat: PendingCsat | null = state.csat ?? null;
  let csatResolutionKey: string | null = state.csatResolutionKey ?? null;
  let automationDueAt: number | null = state.automationDueAt ?? null;
  /**
   * Workflow time (Date.now()) stands still at the workflow task's start while its local activities
   * run, so a timer computed from it after them starts late by their duration. The automation pass
   * reports its wall clock when it ends (recorded in the history, so replay sees the same value):
   * within that same task, timers count from it.
   */
  let passClock: { taskTime: number; clock: number } | null = null;
  const timerNow = (): number => (passClock && passClock.taskTime === Date.now() ? Math.max(passClock.clock, Date.now()) : Date.now());

  const current = (): ConversationWorkflowState => ({
    welcomeHandled: state.welcomeHandled,
    inboundHandled: state.inboundHandled,
    lastInboundMessageId: state.lastInboundMessageId,
    pendingMessages: [...pending],
    changePending,
    snapshot,
    csat,
    csatResolutionKey,
    automationDueAt,
  });

  setHandler(inboundMessageSignal, ({ messageId }) => {
    pending.push(messageId);
  });
  setHandler(conversationChangedSignal, () => {
    changePending = true;
  });
  setHandler(conversationStateQuery, current);

  async function apply(next: ConversationSnapshot): Promise<void> {
    const prev = snapshot;
    snapshot = next;
    if (!next.exists) return;
    if (!prev || prev.status !== next.status || prev.assigneeId !== next.assigneeId || prev.vip !== next.vip || prev.inboxId !== next.inboxId || prev.channel !== next.channel) {
      upsertSearchAttributes([
        { key: InboxId, value: next.inboxId },
        { key: ConversationStatus, value: next.status },
        { key: AssigneeId, value: next.assigneeId ?? UNASSIGNED },
        { key: Channel, value: next.channel },
        { key: Vip, value: next.vip },
      ]);
    }
    // A seat was freed: the agent who held this conversation can take a waiting one.
    if (prev?.assigneeId && ACTIVE.has(prev.status) && (next.assigneeId !== prev.assigneeId || !ACTIVE.has(next.status) || next.inboxId !== prev.inboxId)) {
      const what = next.inboxId !== prev.inboxId ? 'moved to another inbox' : !ACTIVE.has(next.status) ? next.status : next.assigneeId ? 'reassigned' : 'unassigned';
      await activities.drainQueue({ inboxId: prev.inboxId, trigger: `a seat was freed: conversation ${conversationId} was ${what}`, except: conversationId });
    }
    // CSAT: one survey per resolution, after the delay; cancelled when the conversation is reopened first.
    if (csat && (next.status !== 'resolved' || next.resolvedAt !== csat.resolutionKey)) {
      await activities.recordDecision({
        conversationId,
        kind: 'csat_cancelled',
        summary: `CSAT survey cancelled: the conversation is ${next.status === 'resolved' ? 'resolved again (a new resolution)' : `${next.status} again`} before the survey was due at ${new Date(csat.dueAt).toISOString()}`,
      });
      csat = null;
    }
    if (next.status === 'resolved' && next.resolvedAt && next.resolvedAt !== csatResolutionKey) {
      csatResolutionKey = next.resolvedAt;
      if (next.csat.enabled) {
        csat = { resolutionKey: next.resolvedAt, dueAt: Date.parse(next.resolvedAt) + next.csat.delaySeconds * 1000 };
        if (next.csat.delaySeconds > 0) {
          await activities.recordDecision({
            conversationId,
            kind: 'csat_scheduled',
            summary: `CSAT survey scheduled for ${new Date(csat.dueAt).toISOString()} (${next.csat.delaySeconds} s after the resolution)`,
          });
        }
      }
    }
  }

  async function handleInbound(messageId: string): Promise<void> {
    let routed: Awaited<ReturnType<typeof activities.routeConversation>>;
    if (has(INBOUND_STEPS_PATCH)) {
      const steps = await activities.inboundSteps({ conversationId, messageId, welcome: !state.welcomeHandled });
      // An auto-reply or bounce gets no welcome; the first message from a person still does.
      if (steps.welcome && steps.welcome.reason !== 'automated message') state.welcomeHandled = true;
      routed = steps.routed;
    } else {
      if (!state.welcomeHandled) {
        const welcome = await activities.sendWelcomeMessage({ conversationId, triggeredByMessageId: messageId });
        if (welcome.reason !== 'automated message') state.welcomeHandled = true;
      }
      await activities.replyOutOfOffice({ conversationId, messageId });
      routed = await activities.routeConversation({ conversationId, messageId });
    }
    if (routed.outcome === 'ai') {
      const ai = await aiActivities.aiAgentReply({ conversationId, messageId });
      if (ai.handedOver) routed = await activities.routeConversation({ conversationId, messageId, humansOnly: true });
    }
    await apply(routed.snapshot);
    state.inboundHandled += 1;
    state.lastInboundMessageId = messageId;
  }

  for (;;) {
    const wake = () => pending.length > 0 || changePending || workflowInfo().continueAsNewSuggested;
    const timers = [csat?.dueAt, automationDueAt].filter((t): t is number => typeof t === 'number');
    if (timers.length) await condition(wake, Math.max(1, Math.min(...timers) - timerNow()));
    else await condition(wake);

    if (csat && Date.now() >= csat.dueAt) {
      const due = csat;
      csat = null;
      await activities.sendCsatSurvey({ conversationId, resolutionKey: due.resolutionKey });
    }
    // A conversation that never goes quiet still switches runs: what is left travels in the state.
    let happened = false;
    while (pending.length > 0 && !workflowInfo().continueAsNewSuggested) {
      await handleInbound(pending.shift()!);
      happened = true;
    }
    if (changePending) {
      changePending = false;
      await apply(await activities.describeConversation({ conversationId }));
      happened = true;
    }
    // The rules run after the lifecycle step their event belongs to, and when a time-based rule is due.
    if ((happened || (automationDueAt !== null && Date.now() >= automationDueAt)) && has(AUTOMATION_RULES_PATCH)) {
      const own = has(AUTOMATION_OWN_CHANGES_PATCH);
      const known = own && snapshot ? { exists: snapshot.exists, status: snapshot.status, assigneeId: snapshot.assigneeId, inboxId: snapshot.inboxId, vip: snapshot.vip, resolvedAt: snapshot.resolvedAt } : undefined;
      const pass = await activities.runAutomation({ conversationId, known, ...(has(AUTOMATION_COMPACT_HISTORY_PATCH) ? { compact: true } : {}) });
      automationDueAt = pass.nextDueAt;
      // Histories recorded before the pass reported its clock have none: workflow time, as then.
      passClock = typeof pass.clock === 'number' ? { taskTime: Date.now(), clock: pass.clock } : null;
      // The rules changed what the snapshot knows (or someone did meanwhile): the seat, CSAT and search
      // attributes follow now. A workflow with no snapshot yet reads one (it has not read its conversation).
      if (own && (pass.changed || !snapshot)) await apply(await activities.describeConversation({ conversationId }));
    }
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      // Messages and changes that arrived meanwhile travel in the state and are handled by the next run.
      await continueAsNew<ConversationWorkflow>({ ...input, state: current() });
    }
  }
};
