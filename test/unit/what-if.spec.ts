/**
 * The what-if replay engine (src/modules/automation/what-if.ts) on hand-built histories: the event
 * log and the automation_runs rows the engine would have written (facts after each event, as
 * loadFacts reads them), built by a small recorder that keeps the conversation's state the way the
 * product changes it.
 */
import { localTime } from '../../src/modules/automation/automation-facts';
import type { RuleDefinition } from '../../src/modules/automation/rule-evaluation';
import { type RecordedConversation, type RecordedEvent, type RecordedRun, replayConversation, type ReplayOptions, WhatIfTally } from '../../src/modules/automation/what-if';

const T0 = Date.parse('2026-03-02T09:00:00.000Z'); // a Monday
const at = (minute: number) => new Date(T0 + minute * 60_000).toISOString();
const AGENT = '00000000-0000-4000-8000-000000000001';

class Recorder {
  readonly events: RecordedEvent[] = [];
  readonly runs: RecordedRun[] = [];
  readonly state: Record<string, unknown>;
  private readonly contact: Record<string, unknown>;

  constructor(
    readonly conversationId = 'c-1',
    opts: { vip?: boolean; createdAt?: number } = {},
  ) {
    const created = at(opts.createdAt ?? 0);
    this.contact = { id: 'ct-1', name: 'Ann', email: null, phone: null, vip: opts.vip ?? false, tags: [], attributes: {} };
    this.state = {
      id: conversationId,
      status: 'new',
      priority: 0,
      tags: [],
      channel: 'api',
      inboxId: 'inbox-1',
      assigneeId: null,
      assigned: false,
      teamId: null,
      handler: 'human',
      createdAt: created,
      lastActivityAt: created,
      lastCustomerMessageAt: null,
      lastAgentMessageAt: null,
      lastMessageAt: null,
      waitingSince: null,
      firstResponseAt: null,
      statusSince: created,
      lastMessageBy: null,
    };
    this.push('conversation_created', opts.createdAt ?? 0, { channel: 'api' });
  }

  private push(type: string, minute: number, data: Record<string, unknown>, by: { actor?: string | null; depth?: number; causeRuleId?: string | null; message?: Record<string, unknown> } = {}) {
    const id = String(this.events.length + 1);
    const when = at(minute);
    const depth = by.depth ?? 0;
    this.events.push({ id, type, data, actorUserId: by.actor ?? null, causeRuleId: by.causeRuleId ?? null, depth, at: when });
    const trigger = { ...data, type, from: data.from, to: data.to, depth, causeRuleId: by.causeRuleId ?? null };
    const facts = {
      conversation: structuredClone(this.state),
      contact: this.contact,
      inbox: { id: 'inbox-1', name: 'Support', channel: 'api' },
      assignee: null,
      team: null,
      time: localTime(new Date(when), 'UTC'),
      businessHours: { open: true },
      event: trigger,
      message: by.message ?? {},
    };
    this.runs.push({ id: `r${id}`, eventId: id, trigger, facts, at: when });
  }

  private setStatus(to: string, minute: number) {
    this.state.status = to;
    this.state.statusSince = at(minute);
  }

  inbound(minute: number, content: string) {
    const when = at(minute);
    const from = this.state.status as string;
    if (from === 'pending' || from === 'resolved') this.setStatus('new', minute);
    this.state.lastCustomerMessageAt = when;
    this.state.lastMessageAt = when;
    if (this.state.lastMessageBy !== 'customer') this.state.waitingSince = when;
    this.state.lastMessageBy = 'customer';
    if (from === 'pending' || from === 'resolved') this.push('status_changed', minute, { from, to: 'new', messageId: `m${minute}` });
    this.push('message_received', minute, { messageId: `m${minute}` }, { message: { content, direction: 'inbound', senderType: 'contact', createdAt: when } });
    return this;
  }

  reply(minute: number, content = 'Hello', actor: string = AGENT) {
    const when = at(minute);
    const wasNew = this.state.status === 'new';
    if (wasNew) this.setStatus('open', minute);
    this.state.lastAgentMessageAt = when;
    this.state.lastMessageAt = when;
    this.state.firstResponseAt ??= when;
    this.state.lastMessageBy = 'agent';
    this.state.waitingSince = null;
    if (wasNew) this.push('status_changed', minute, { from: 'new', to: 'open', messageId: `m${minute}` }, { actor });
    this.push('message_sent', minute, { messageId: `m${minute}`, senderType: 'agent' }, { actor, message: { content, direction: 'outbound', senderType: 'agent', createdAt: when } });
    return this;
  }

  status(minute: number, to: string, actor: string | null = AGENT) {
    const from = this.state.status as string;
    this.setStatus(to, minute);
    this.push('status_changed', minute, { from, to }, { actor });
    return this;
  }

  tag(minute: number, tag: string, by: { actor?: string | null; depth?: number; causeRuleId?: string | null } = { actor: AGENT }) {
    this.state.tags = [...(this.state.tags as string[]), tag].sort();
    this.push('tag_added', minute, { tag }, by);
    return this;
  }

  history(): RecordedConversation {
    return { conversationId: this.conversationId, runs: this.runs, events: this.events };
  }
}

const options = (nowMinute: number, extra: Partial<ReplayOptions> = {}): ReplayOptions => ({ now: T0 + nowMinute * 60_000, maxChainDepth: 5, maxFiringsPerHour: 100, ...extra });

/** Rule definitions as the use case hands them over after validation (ids draft:<i>, as for drafts). */
function rules(bodies: Record<string, unknown>[]): RuleDefinition[] {
  return bodies.map((b, i) => ({
    id: `draft:${i}`,
    version: 0,
    name: `rule ${i}`,
    inboxId: null,
    conditions: { all: [] },
    actions: [{ type: 'add_tag', tag: 'x' }],
    stopProcessing: false,
    allowChaining: false,
    ...b,
  })) as unknown as RuleDefinition[];
}

const refund = { all: [{ attribute: 'message.content', operator: 'contains', value: 'refund' }] };

describe('event rules', () => {
  test('fire on the matching events only, with the message, and side by side with what happened afterwards', () => {
    const h = new Recorder().inbound(0, 'Hello').inbound(2, 'I want a REFUND please').reply(5, 'On it').tag(6, 'refund').inbound(9, 'thanks').history();
    const [rule] = rules([{ trigger: { event: 'message_received' }, conditions: refund, actions: [{ type: 'add_tag', tag: 'refund' }] }]);
    const replay = replayConversation([rule], h, options(60));
    expect(replay.firings).toHaveLength(1);
    const [f] = replay.firings;
    const fired = h.events.find((e) => e.type === 'message_received' && e.at === at(2))!;
    expect(f.trigger).toEqual({ kind: 'event', eventId: fired.id, type: 'message_received', depth: 0, at: at(2) });
    expect(f.message).toBe('I want a REFUND please');
    expect(f.actions).toEqual([
      {
        type: 'add_tag',
        target: 'refund',
        alreadySo: false,
        doneLater: { at: at(6), by: 'person', userId: AGENT },
        customerWroteAfter: true,
        agentRepliedAfter: true,
      },
    ]);
    expect(replay.eventsReplayed).toBe(h.runs.length);
    expect(replay.actual).toMatchObject({ status: 'open', tags: ['refund'], customerMessages: 3, agentReplies: 1 });
  });

  test('trigger filters: status_changed from/to and tag_added tags', () => {
    const h = new Recorder().inbound(0, 'hi').reply(1).status(2, 'pending').status(3, 'resolved').tag(4, 'vip').tag(5, 'other').history();
    const set = rules([
      { name: 'to resolved', trigger: { event: 'status_changed', to: ['resolved'] } },
      { name: 'pending to anything', trigger: { event: 'status_changed', from: ['pending'] } },
      { name: 'tag vip', trigger: { event: 'tag_added', tags: ['vip'] } },
    ]);
    const replay = replayConversation(set, h, options(60));
    expect(replay.firings.map((f) => [f.name, f.trigger.at])).toEqual([
      ['to resolved', at(3)],
      ['pending to anything', at(3)],
      ['tag vip', at(4)],
    ]);
  });

  test('stop processing: the first rule that fires ends the pass for later rules of that event; the order decides', () => {
    const vipRefund = { all: [{ attribute: 'message.content', operator: 'contains', value: 'refund' }, { attribute: 'contact.vip', operator: 'equals', value: true }] };
    const a = { name: 'vip refund', trigger: { event: 'message_received' }, conditions: vipRefund, stopProcessing: true, actions: [{ type: 'add_tag', tag: 'refund-vip' }, { type: 'set_priority', priority: 3 }] };
    const b = { name: 'refund', trigger: { event: 'message_received' }, conditions: refund, actions: [{ type: 'add_tag', tag: 'refund' }] };
    const vip = new Recorder('vip', { vip: true }).inbound(0, 'refund now').history();
    const plain = new Recorder('plain').inbound(0, 'refund now').history();

    const ordered = rules([a, b]);
    const onVip = replayConversation(ordered, vip, options(60));
    expect(onVip.firings.map((f) => f.name)).toEqual(['vip refund']);
    expect(onVip.firings[0].actions.map((x) => x.type)).toEqual(['add_tag', 'set_priority']);
    expect(onVip.skipped).toEqual([expect.objectContaining({ ruleId: 'draft:1', reason: 'stop_processing', byRuleId: 'draft:0' })]);
    expect(replayConversation(ordered, plain, options(60)).firings.map((f) => f.name)).toEqual(['refund']);

    // Swapped: "refund" (no stop) fires first, then "vip refund" still runs.
    const swapped = rules([b, a]);
    expect(replayConversation(swapped, vip, options(60)).firings.map((f) => f.name)).toEqual(['refund', 'vip refund']);
  });

  test('events caused by rules trigger only rules that allow chaining; deeper than the chain limit nothing fires', () => {
    const h = new Recorder()
      .inbound(0, 'hi')
      .tag(1, 'x', { actor: null, depth: 1, causeRuleId: 'live-rule' })
      .tag(2, 'y', { actor: null, depth: 6, causeRuleId: 'live-rule' })
      .tag(3, 'z')
      .history();
    const set = rules([
      { name: 'no chaining', trigger: { event: 'tag_added' } },
      { name: 'chaining', trigger: { event: 'tag_added' }, allowChaining: true },
    ]);
    const replay = replayConversation(set, h, options(60, { maxChainDepth: 5 }));
    expect(replay.firings.map((f) => `${f.name}@${f.trigger.at}`)).toEqual([`chaining@${at(1)}`, `no chaining@${at(3)}`, `chaining@${at(3)}`]);
    expect(replay.skipped.map((s) => `${s.ruleId}:${s.reason}`)).toEqual(['draft:0:chaining', 'draft:0:chain_depth', 'draft:1:chain_depth']);
  });

  test('the hourly firing budget stops further firings', () => {
    const h = new Recorder().inbound(0, 'a').inbound(10, 'b').inbound(20, 'c').inbound(70, 'd').history();
    const [rule] = rules([{ trigger: { event: 'message_received' } }]);
    const replay = replayConversation([rule], h, options(90, { maxFiringsPerHour: 2 }));
    expect(replay.firings.map((f) => f.trigger.at)).toEqual([at(0), at(10), at(70)]);
    expect(replay.skipped).toEqual([expect.objectContaining({ reason: 'hourly_budget', trigger: expect.objectContaining({ at: at(20) }) })]);
  });
});

describe('time-based rules, simulated from the recorded timeline', () => {
  const timerAt = (r: ReturnType<typeof replayConversation>) => r.firings.map((f) => (f.trigger.kind === 'timer' ? [f.trigger.anchor, f.trigger.at] : null));

  test('conversation idle: a gap of at least N minutes without a message while active; not before now; once per anchor', () => {
    const h = new Recorder().inbound(0, 'a').reply(10).tag(20, 'noise').inbound(50, 'b').history();
    const [idle] = rules([{ trigger: { event: 'conversation_idle', minutes: 30 } }]);
    // 10 -> 50 is a gap of 40 (the tag at 20 does not break it, nor re-arm it); after 50 only 20 minutes have passed.
    expect(timerAt(replayConversation([idle], h, options(70)))).toEqual([[at(10), at(40)]]);
    // Later on, the last gap ran out too.
    expect(timerAt(replayConversation([idle], h, options(81)))).toEqual([
      [at(10), at(40)],
      [at(50), at(80)],
    ]);
    // Resolved conversations are not idle.
    const resolved = new Recorder().inbound(0, 'a').reply(1).status(2, 'resolved').history();
    expect(replayConversation([idle], resolved, options(500)).firings).toEqual([]);
  });

  test('customer unresponsive: the last message was ours for N minutes; a customer message breaks it', () => {
    const h = new Recorder().inbound(0, 'a').reply(10).inbound(40, 'b').reply(50).history();
    const [rule] = rules([{ trigger: { event: 'customer_unresponsive', minutes: 60 } }]);
    expect(timerAt(replayConversation([rule], h, options(109)))).toEqual([]);
    expect(timerAt(replayConversation([rule], h, options(111)))).toEqual([[at(50), at(110)]]);
  });

  test('agent unresponsive: the customer waits N minutes; fires once per wait however many events happen meanwhile', () => {
    // Events after the due time (the tags at 16 and 18) keep the same anchor: it is not evaluated again.
    const h = new Recorder().inbound(0, 'a').tag(5, 'noise').inbound(8, 'still there?').tag(16, 'late').tag(18, 'later').reply(20).inbound(30, 'b').reply(40).history();
    const [rule] = rules([{ trigger: { event: 'agent_unresponsive', minutes: 15 }, actions: [{ type: 'unassign' }, { type: 'add_tag', tag: 'escalated' }] }]);
    const replay = replayConversation([rule], h, options(600));
    expect(timerAt(replay)).toEqual([[at(0), at(15)]]);
    expect(replay.firings[0].actions.map((a) => a.type)).toEqual(['unassign', 'add_tag']);
    expect(replay.firings[0].actions[1]).toMatchObject({ alreadySo: false, doneLater: null, agentRepliedAfter: true, customerWroteAfter: true });
  });

  test('in status: N minutes in the status; leaving it cancels, coming back re-arms', () => {
    const h = new Recorder().inbound(0, 'a').reply(5).status(10, 'pending').inbound(40, 'back').reply(45).status(50, 'pending').status(200, 'resolved').history();
    const [rule] = rules([{ trigger: { event: 'in_status', status: 'pending', minutes: 60 }, actions: [{ type: 'set_status', status: 'resolved' }] }]);
    const replay = replayConversation([rule], h, options(1000));
    expect(timerAt(replay)).toEqual([[at(50), at(110)]]);
    // Side by side: it was resolved for real later, by a person, and the customer did not write again.
    expect(replay.firings[0].actions[0]).toMatchObject({ type: 'set_status', target: 'resolved', alreadySo: false, doneLater: { by: 'person', at: at(200) }, customerWroteAfter: false });
  });

  test('first response due: no agent answer N minutes after creation', () => {
    const [rule] = rules([{ trigger: { event: 'first_response_due', minutes: 30 } }]);
    const answered = new Recorder('fast').inbound(0, 'a').reply(20).history();
    const late = new Recorder('slow').inbound(0, 'a').inbound(10, 'hello?').reply(45).history();
    expect(replayConversation([rule], answered, options(600)).firings).toEqual([]);
    expect(timerAt(replayConversation([rule], late, options(600)))).toEqual([[at(0), at(30)]]);
  });

  test('conditions see the clock of the due time (recomputed), not of the last event', () => {
    const h = new Recorder().inbound(0, 'a').history(); // 09:00 UTC
    const [at10, at09] = rules([
      { trigger: { event: 'conversation_idle', minutes: 60 }, conditions: { all: [{ attribute: 'time.hour', operator: 'equals', value: 10 }] } },
      { trigger: { event: 'conversation_idle', minutes: 60 }, conditions: { all: [{ attribute: 'time.hour', operator: 'equals', value: 9 }] } },
    ]);
    const replay = replayConversation([at10, at09], h, options(120));
    expect(replay.firings.map((f) => f.ruleId)).toEqual([at10.id]);
    expect(replay.timersEvaluated).toBe(2);
  });

  test('business hours at the due time come from the inbox settings when given', () => {
    const h = new Recorder().inbound(0, 'a').history(); // Monday 09:00 UTC; due 10:00
    const [rule] = rules([{ trigger: { event: 'conversation_idle', minutes: 60 }, conditions: { all: [{ attribute: 'businessHours.open', operator: 'equals', value: false }] } }]);
    const closedAtTen = { enabled: true, timezone: 'UTC', intervals: { mon: [{ start: '09:00', end: '09:30' }] }, exceptions: {}, outOfOfficeMessage: null };
    expect(replayConversation([rule], h, options(120, { businessHours: closedAtTen as never })).firings).toHaveLength(1);
    // Without them the recorded value (open) holds.
    expect(replayConversation([rule], h, options(120)).firings).toHaveLength(0);
  });

  test('events and timers come out in time order', () => {
    const h = new Recorder().inbound(0, 'refund').inbound(50, 'refund again').history();
    const set = rules([
      { name: 'refund', trigger: { event: 'message_received' }, conditions: refund },
      { name: 'idle', trigger: { event: 'conversation_idle', minutes: 30 } },
    ]);
    const replay = replayConversation(set, h, options(60));
    expect(replay.firings.map((f) => `${f.name}@${f.trigger.at}`)).toEqual([`refund@${at(0)}`, `idle@${at(30)}`, `refund@${at(50)}`]);
  });
});

describe('the summary over many conversations', () => {
  test('would have resolved k of n; of those, who got a customer reply afterwards and who was resolved later anyway', () => {
    const [rule] = rules([
      { name: 'thanks resolves', trigger: { event: 'message_received' }, conditions: { all: [{ attribute: 'message.content', operator: 'contains', value: 'thanks' }] }, actions: [{ type: 'set_status', status: 'resolved' }] },
    ]);
    const histories = [
      new Recorder('a').inbound(0, 'help').reply(1).inbound(2, 'thanks!').inbound(30, 'one more thing').history(), // customer wrote again
      new Recorder('b').inbound(0, 'help').reply(1).inbound(2, 'thanks').status(5, 'resolved').history(), // resolved by an agent later
      new Recorder('c').inbound(0, 'thanks').inbound(1, 'thanks again').history(), // fires twice, one conversation
      new Recorder('d').inbound(0, 'no match').history(),
    ];
    const tally = new WhatIfTally([rule]);
    for (const h of histories) tally.add(replayConversation([rule], h, options(100)));
    const [summary] = tally.summary();
    expect(summary).toMatchObject({ conversations: 3, firings: 4 });
    expect(summary.actions[0]).toMatchObject({ type: 'set_status', target: 'resolved', firings: 4, conversations: 3, doneLater: 1, doneLaterByPerson: 1, customerWroteAfter: 2, agentRepliedAfter: 0 });
    expect(summary.actions[0].text).toBe(
      'would have resolved 3 of 4 conversations (4 times); 1 got the same change later (1 by a person); 2 of those got a customer reply afterwards; 0 an agent reply afterwards',
    );
    expect(summary.text).toBe('rule "thanks resolves" would have fired 4 times in 3 of 4 conversations');
  });
});
