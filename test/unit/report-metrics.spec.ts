/** The reports' pure pieces: business time between instants, the event replay, statistics, local periods. */
import { businessTimeMeter } from '../../src/modules/inboxes/business-hours';
import type { BusinessHours, TimeInterval } from '../../src/modules/inboxes/inbox-settings';
import { type ReplayEvent, replayConversation, statistics } from '../../src/modules/reports/conversation-metrics';
import { localMidnight, periodLookup, periodOf } from '../../src/modules/reports/zoned-time';

const iv = (start: string, end: string): TimeInterval => ({ start, end });
const HOUR = 3_600_000;
const lunch = [iv('09:00', '12:00'), iv('13:00', '17:00')];
const berlin: BusinessHours = {
  enabled: true,
  timezone: 'Europe/Berlin',
  intervals: { mon: lunch, tue: lunch, wed: lunch, thu: lunch, fri: lunch },
  exceptions: { '2026-03-04': [], '2026-03-31': [iv('10:00', '11:00')] },
  outOfOfficeMessage: null,
};
const t = (iso: string) => Date.parse(iso);

describe('businessTimeMeter', () => {
  const meter = businessTimeMeter(berlin, t('2026-02-20T00:00:00Z'), t('2026-04-10T00:00:00Z'));

  test('several intervals a day: the lunch hour does not count', () => {
    // Mon 2026-03-02 11:00 -> 13:30 Berlin (UTC+1): 1 h + 30 min
    expect(meter.between(t('2026-03-02T10:00:00Z'), t('2026-03-02T12:30:00Z'))).toBe(1.5 * HOUR);
  });

  test('a holiday and a night count nothing; special hours replace the weekday', () => {
    // Tue 03 16:00 -> Thu 05 10:00: Tue 1 h, Wed holiday, Thu 1 h
    expect(meter.between(t('2026-03-03T15:00:00Z'), t('2026-03-05T09:00:00Z'))).toBe(2 * HOUR);
    // Tue 31 (special hours 10-11, after the DST change: UTC+2) the whole day: 1 h
    expect(meter.between(t('2026-03-30T22:00:00Z'), t('2026-03-31T22:00:00Z'))).toBe(HOUR);
  });

  test('across the DST change (Sun 2026-03-29): local hours stay local', () => {
    // Fri 27 16:00 (UTC+1, 15:00Z) -> Mon 30 10:00 (UTC+2, 08:00Z): 1 h + 1 h
    expect(meter.between(t('2026-03-27T15:00:00Z'), t('2026-03-30T08:00:00Z'))).toBe(2 * HOUR);
  });

  test('intervals across midnight; business hours off counts every hour; b <= a is 0', () => {
    const night: BusinessHours = { enabled: true, timezone: 'UTC', intervals: { mon: [iv('22:00', '02:00')] }, exceptions: {}, outOfOfficeMessage: null };
    const m = businessTimeMeter(night, t('2026-03-01T00:00:00Z'), t('2026-03-10T00:00:00Z'));
    expect(m.between(t('2026-03-02T21:00:00Z'), t('2026-03-03T03:00:00Z'))).toBe(4 * HOUR);
    expect(m.between(t('2026-03-03T03:00:00Z'), t('2026-03-02T21:00:00Z'))).toBe(0);
    const off = businessTimeMeter({ ...berlin, enabled: false }, 0, 1);
    expect(off.between(t('2026-03-02T21:00:00Z'), t('2026-03-03T03:00:00Z'))).toBe(6 * HOUR);
  });
});

const ev = (at: string, type: string, data: Record<string, unknown> = {}, actorUserId: string | null = null, causeRuleId: string | null = null): ReplayEvent => ({
  type,
  at: t(at),
  data,
  actorUserId,
  causeRuleId,
});

describe('replayConversation', () => {
  test('a conversation an agent started: the first response is measured from the customer’s first message', () => {
    const { samples, created } = replayConversation(
      [
        ev('2026-03-02T09:00:00Z', 'conversation_created', { startedBy: 'u1' }, 'u1'),
        ev('2026-03-02T09:00:00Z', 'message_sent', { senderType: 'agent' }, 'u1'),
        ev('2026-03-02T10:00:00Z', 'message_received'),
        ev('2026-03-02T10:30:00Z', 'message_sent', { senderType: 'agent' }, 'u1'),
      ],
      'inbox-1',
    );
    expect(created).toEqual({ at: t('2026-03-02T09:00:00Z'), inboxId: 'inbox-1' });
    expect(samples.map((s) => [s.metric, (s.end - s.start) / 60_000])).toEqual([
      ['firstResponse', 30],
      ['reply', 30],
    ]);
  });

  test('AI, system and rule messages are not human replies; later customer messages do not restart the wait; unassigning clears the agent', () => {
    const { samples } = replayConversation(
      [
        ev('2026-03-02T09:00:00Z', 'conversation_created'),
        ev('2026-03-02T09:00:00Z', 'message_received'),
        ev('2026-03-02T09:00:00Z', 'assigned', { assigneeId: 'u1' }),
        ev('2026-03-02T09:01:00Z', 'message_sent', { senderType: 'ai' }, 'u1'),
        ev('2026-03-02T09:02:00Z', 'message_sent', { senderType: 'agent' }, 'u1', 'rule-1'),
        ev('2026-03-02T09:05:00Z', 'message_received'),
        ev('2026-03-02T09:10:00Z', 'message_sent', { senderType: 'agent' }, 'u2'),
        ev('2026-03-02T09:20:00Z', 'unassigned', { assigneeId: 'u1' }),
        ev('2026-03-02T09:30:00Z', 'status_changed', { from: 'open', to: 'resolved' }),
      ],
      'inbox-1',
    );
    expect(samples.map((s) => [s.metric, (s.end - s.start) / 60_000, s.agentId])).toEqual([
      ['firstResponse', 10, 'u2'],
      ['reply', 10, 'u2'],
      ['resolution', 30, null],
    ]);
  });

  test('a resolution ends a wait unanswered; a customer message reopening it starts a new wait and a new resolution clock', () => {
    const { samples } = replayConversation(
      [
        ev('2026-03-02T09:00:00Z', 'conversation_created'),
        ev('2026-03-02T09:00:00Z', 'message_received'),
        ev('2026-03-02T09:30:00Z', 'status_changed', { from: 'new', to: 'resolved' }),
        ev('2026-03-02T11:00:00Z', 'status_changed', { from: 'resolved', to: 'new' }),
        ev('2026-03-02T11:00:00Z', 'message_received'),
        ev('2026-03-02T11:20:00Z', 'message_sent', { senderType: 'agent' }, 'u1'),
      ],
      'inbox-1',
    );
    expect(samples.map((s) => [s.metric, (s.end - s.start) / 60_000])).toEqual([
      ['resolution', 30],
      ['firstResponse', 140],
      ['reply', 20],
    ]);
  });
});

describe('statistics', () => {
  test('seconds: mean, median (mean of the middle two), nearest-rank p90; nulls without values', () => {
    expect(statistics([])).toEqual({ count: 0, average: null, median: null, p90: null });
    expect(statistics([3000, 1000, 2000])).toEqual({ count: 3, average: 2, median: 2, p90: 3 });
    expect(statistics([1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000, 11000])).toMatchObject({ median: 6, p90: 10 });
  });
});

describe('local periods', () => {
  test('local midnight and the periods of a zone with a DST change; the lookup agrees with the direct conversion', () => {
    expect(new Date(localMidnight('2026-03-29', 'Europe/Berlin')).toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(new Date(localMidnight('2026-03-30', 'Europe/Berlin')).toISOString()).toBe('2026-03-29T22:00:00.000Z');
    expect(periodOf(t('2026-03-29T22:30:00Z'), 'day', 'Europe/Berlin').key).toBe('2026-03-30');
    expect(periodOf(t('2026-01-01T12:00:00Z'), 'week', 'UTC')).toEqual({ key: '2025-12-29', label: '2026-W01' });
    expect(periodOf(t('2027-01-01T12:00:00Z'), 'week', 'UTC')).toEqual({ key: '2026-12-28', label: '2026-W53' });
    const from = localMidnight('2026-03-01', 'Europe/Berlin');
    const to = localMidnight('2026-05-01', 'Europe/Berlin');
    for (const group of ['day', 'week', 'month'] as const) {
      const lookup = periodLookup(from, to, group, 'Europe/Berlin');
      for (let x = from; x < to; x += 1_234_567) expect(lookup(x)).toEqual(periodOf(x, group, 'Europe/Berlin'));
    }
  });
});
