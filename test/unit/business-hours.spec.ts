import { evaluateBusinessHours, NEXT_OPEN_SEARCH_DAYS } from '../../src/modules/inboxes/business-hours';
import type { BusinessHours, TimeInterval, Weekday } from '../../src/modules/inboxes/inbox-settings';

const iv = (start: string, end: string): TimeInterval => ({ start, end });
const nineToFive = [iv('09:00', '17:00')];
const weekdays = (intervals: TimeInterval[]): Partial<Record<Weekday, TimeInterval[]>> => ({
  mon: intervals,
  tue: intervals,
  wed: intervals,
  thu: intervals,
  fri: intervals,
});

function hours(
  timezone: string,
  intervals: Partial<Record<Weekday, TimeInterval[]>>,
  exceptions: Record<string, TimeInterval[]> = {},
): BusinessHours {
  return { enabled: true, timezone, intervals, exceptions, outOfOfficeMessage: 'We are closed' };
}

const at = (iso: string) => new Date(iso);
const isOpen = (h: BusinessHours, iso: string) => evaluateBusinessHours(h, at(iso)).open;
const nextOpen = (h: BusinessHours, iso: string) => evaluateBusinessHours(h, at(iso)).nextOpenAt?.toISOString();
const key = (h: BusinessHours, iso: string) => evaluateBusinessHours(h, at(iso)).periodKey;

/** Minutes open in [fromIso, toIso), sampled every 5 minutes (all boundaries here are on 5-minute marks). */
function openMinutes(h: BusinessHours, fromIso: string, toIso: string): number {
  let n = 0;
  for (let t = Date.parse(fromIso); t < Date.parse(toIso); t += 5 * 60_000) if (evaluateBusinessHours(h, new Date(t)).open) n += 5;
  return n;
}

describe('basics', () => {
  test('disabled business hours: always open', () => {
    const h = { ...hours('Europe/Berlin', {}), enabled: false };
    expect(evaluateBusinessHours(h, at('2026-01-04T03:00:00Z'))).toEqual({ open: true, reason: 'business hours off' });
  });

  test('open inside a weekday interval, with the interval and a readable reason', () => {
    const h = hours('Europe/Berlin', weekdays(nineToFive));
    // 2026-01-05 is a Monday; Berlin is UTC+1 in winter.
    const r = evaluateBusinessHours(h, at('2026-01-05T08:00:00Z'));
    expect(r.open).toBe(true);
    expect(r.reason).toBe('open: Mon 09:00-17:00 (Europe/Berlin)');
    expect(r.interval).toEqual({ date: '2026-01-05', start: '09:00', end: '17:00' });
    expect(r.periodKey).toBeUndefined();
    expect(r.nextOpenAt).toBeUndefined();
    expect(r.local).toEqual({ date: '2026-01-05', time: '09:00', weekday: 'mon', timezone: 'Europe/Berlin' });
  });

  test('closed outside: reason, periodKey and exact nextOpenAt', () => {
    const h = hours('Europe/Berlin', weekdays(nineToFive));
    const r = evaluateBusinessHours(h, at('2026-01-05T07:59:59Z'));
    expect(r.open).toBe(false);
    expect(r.reason).toBe('closed: outside Mon 09:00-17:00 (Europe/Berlin)');
    expect(r.nextOpenAt?.toISOString()).toBe('2026-01-05T08:00:00.000Z');
    expect(r.periodKey).toBe('closed-since-2026-01-02T16:00:00.000Z'); // Friday 17:00 local
    expect(r.interval).toBeUndefined();
  });

  test('a day without intervals', () => {
    const h = hours('Europe/Berlin', weekdays(nineToFive));
    const r = evaluateBusinessHours(h, at('2026-01-04T12:00:00Z'));
    expect(r.reason).toBe('closed: no business hours on Sun (Europe/Berlin)');
    expect(r.nextOpenAt?.toISOString()).toBe('2026-01-05T08:00:00.000Z');
  });

  test('the end is exclusive, the start inclusive', () => {
    const h = hours('UTC', weekdays(nineToFive));
    expect(isOpen(h, '2026-01-05T09:00:00.000Z')).toBe(true);
    expect(isOpen(h, '2026-01-05T16:59:59.999Z')).toBe(true);
    expect(isOpen(h, '2026-01-05T17:00:00.000Z')).toBe(false);
    expect(isOpen(h, '2026-01-05T08:59:59.999Z')).toBe(false);
  });

  test('accepts epoch milliseconds and is deterministic without mutating the settings', () => {
    const h = Object.freeze(hours('America/New_York', weekdays(nineToFive)));
    const a = evaluateBusinessHours(h, Date.parse('2026-01-05T14:00:00Z'));
    const b = evaluateBusinessHours(h, at('2026-01-05T14:00:00Z'));
    expect(a).toEqual(b);
    expect(a.open).toBe(true);
  });

  test('never opens: no nextOpenAt and a stable periodKey', () => {
    const h = hours('UTC', {});
    const r = evaluateBusinessHours(h, at('2026-01-05T10:00:00Z'));
    expect(r).toMatchObject({ open: false, reason: 'closed: no business hours on Mon (UTC)', periodKey: 'closed-no-open-hours' });
    expect(r.nextOpenAt).toBeUndefined();
    expect(key(h, '2026-02-05T10:00:00Z')).toBe('closed-no-open-hours');
  });

  test(`nextOpenAt is searched ${NEXT_OPEN_SEARCH_DAYS} days ahead`, () => {
    const h = hours('UTC', {}, { '2026-01-15': [iv('10:00', '11:00')], '2026-02-20': [iv('10:00', '11:00')] });
    expect(nextOpen(h, '2026-01-05T10:00:00Z')).toBe('2026-01-15T10:00:00.000Z');
    expect(nextOpen(h, '2026-01-30T10:00:00Z')).toBeUndefined(); // 21 days before the next opening
    expect(nextOpen(h, '2026-02-07T10:00:00Z')).toBe('2026-02-20T10:00:00.000Z');
  });

  test('malformed intervals are ignored; an unknown time zone is an error', () => {
    const h = hours('UTC', { mon: [iv('9am', '5pm'), iv('25:00', '26:00'), iv('24:00', '02:00'), iv('10:00', '11:00')] });
    expect(isOpen(h, '2026-01-05T09:30:00Z')).toBe(false);
    expect(evaluateBusinessHours(h, at('2026-01-05T10:30:00Z')).reason).toBe('open: Mon 10:00-11:00 (UTC)');
    expect(() => evaluateBusinessHours(hours('Mars/Olympus_Mons', weekdays(nineToFive)), at('2026-01-05T10:00:00Z'))).toThrow(
      'unknown time zone "Mars/Olympus_Mons"',
    );
  });
});

describe('several intervals per day', () => {
  const h = hours('Europe/Berlin', weekdays([iv('09:00', '12:00'), iv('13:00', '17:00')]));

  test('lunch break is closed, both halves open', () => {
    // Monday 2026-01-05, UTC+1.
    expect(evaluateBusinessHours(h, at('2026-01-05T10:59:00Z')).interval).toEqual({ date: '2026-01-05', start: '09:00', end: '12:00' });
    const lunch = evaluateBusinessHours(h, at('2026-01-05T11:30:00Z')); // 12:30 local
    expect(lunch.open).toBe(false);
    expect(lunch.reason).toBe('closed: outside Mon 09:00-12:00, 13:00-17:00 (Europe/Berlin)');
    expect(lunch.nextOpenAt?.toISOString()).toBe('2026-01-05T12:00:00.000Z');

    const afternoon = evaluateBusinessHours(h, at('2026-01-05T12:00:00Z')); // 13:00 local
    expect(afternoon.open).toBe(true);
    expect(afternoon.reason).toBe('open: Mon 13:00-17:00 (Europe/Berlin)');
    expect(afternoon.interval).toEqual({ date: '2026-01-05', start: '13:00', end: '17:00' });

    const evening = evaluateBusinessHours(h, at('2026-01-05T16:00:00Z')); // 17:00 local
    expect(evening.open).toBe(false);
    expect(evening.nextOpenAt?.toISOString()).toBe('2026-01-06T08:00:00.000Z');
  });

  test('periodKey: the same within one closed stretch, different across an open interval', () => {
    const lunchStart = key(h, '2026-01-05T11:00:00Z'); // 12:00 local
    expect(lunchStart).toBe('closed-since-2026-01-05T11:00:00.000Z');
    expect(key(h, '2026-01-05T11:59:59Z')).toBe(lunchStart);

    const night = key(h, '2026-01-05T16:00:00Z'); // Mon 17:00 local
    expect(night).toBe('closed-since-2026-01-05T16:00:00.000Z');
    expect(night).not.toBe(lunchStart);
    expect(key(h, '2026-01-05T23:00:00Z')).toBe(night);
    expect(key(h, '2026-01-06T07:59:59Z')).toBe(night); // Tue 08:59 local
    expect(key(h, '2026-01-06T11:30:00Z')).not.toBe(night); // Tue lunch

    // The whole weekend is one closed period.
    const weekend = key(h, '2026-01-09T16:00:00Z'); // Fri 17:00 local
    expect(key(h, '2026-01-10T12:00:00Z')).toBe(weekend);
    expect(key(h, '2026-01-12T07:59:59Z')).toBe(weekend);
  });

  test('touching and overlapping intervals form one open stretch', () => {
    const touching = hours('UTC', { mon: [iv('09:00', '12:00'), iv('12:00', '15:00'), iv('14:00', '16:00')] });
    expect(isOpen(touching, '2026-01-05T12:00:00Z')).toBe(true);
    expect(isOpen(touching, '2026-01-05T15:30:00Z')).toBe(true);
    expect(key(touching, '2026-01-05T16:00:00Z')).toBe('closed-since-2026-01-05T16:00:00.000Z');
  });
});

describe('intervals across midnight', () => {
  // Friday 2026-01-09 22:00 .. Saturday 02:00, Berlin (UTC+1).
  const h = hours('Europe/Berlin', { fri: [iv('22:00', '02:00')] });

  test('Friday evening and the spill-over into Saturday are open, both belonging to Friday', () => {
    expect(isOpen(h, '2026-01-09T20:59:59Z')).toBe(false); // Fri 21:59:59
    const fri = evaluateBusinessHours(h, at('2026-01-09T21:00:00Z')); // Fri 22:00
    expect(fri.open).toBe(true);
    expect(fri.reason).toBe('open: Fri 22:00-02:00 (Europe/Berlin)');
    const sat = evaluateBusinessHours(h, at('2026-01-10T00:30:00Z')); // Sat 01:30
    expect(sat.open).toBe(true);
    expect(sat.interval).toEqual({ date: '2026-01-09', start: '22:00', end: '02:00' });
    expect(sat.reason).toBe('open: Fri 22:00-02:00 (Europe/Berlin)');
  });

  test('Saturday 02:00 and later is closed until next Friday 22:00', () => {
    expect(isOpen(h, '2026-01-10T01:00:00Z')).toBe(false); // Sat 02:00
    const r = evaluateBusinessHours(h, at('2026-01-10T01:30:00Z')); // Sat 02:30
    expect(r.open).toBe(false);
    expect(r.reason).toBe('closed: no business hours on Sat (Europe/Berlin)');
    expect(r.nextOpenAt?.toISOString()).toBe('2026-01-16T21:00:00.000Z');
    expect(r.periodKey).toBe('closed-since-2026-01-10T01:00:00.000Z');
  });

  test('the spill-over survives a holiday on the next day', () => {
    const withHoliday = hours('Europe/Berlin', { fri: [iv('22:00', '02:00')] }, { '2026-01-10': [] });
    expect(isOpen(withHoliday, '2026-01-10T00:30:00Z')).toBe(true); // Sat 01:30
    expect(evaluateBusinessHours(withHoliday, at('2026-01-10T01:30:00Z')).reason).toBe('closed: holiday 2026-01-10');
  });

  test('an exception on the previous day decides the spill-over', () => {
    const longer = hours('Europe/Berlin', { fri: [iv('22:00', '02:00')] }, { '2026-01-09': [iv('20:00', '03:00')] });
    const r = evaluateBusinessHours(longer, at('2026-01-10T01:30:00Z')); // Sat 02:30
    expect(r.open).toBe(true);
    expect(r.interval).toEqual({ date: '2026-01-09', start: '20:00', end: '03:00' });
    expect(r.reason).toBe('open: special hours 2026-01-09 20:00-03:00 (Europe/Berlin)');

    const holiday = hours('Europe/Berlin', { fri: [iv('22:00', '02:00')] }, { '2026-01-09': [] });
    expect(isOpen(holiday, '2026-01-10T00:30:00Z')).toBe(false); // no Friday interval, no spill-over
  });

  test("'24:00' as an end and a day starting at 00:00 join into one stretch", () => {
    const late = hours('UTC', { sat: [iv('18:00', '24:00')], sun: [iv('00:00', '06:00')] });
    expect(nextOpen(late, '2026-01-10T17:00:00Z')).toBe('2026-01-10T18:00:00.000Z');
    expect(evaluateBusinessHours(late, at('2026-01-10T23:59:59Z')).interval).toEqual({ date: '2026-01-10', start: '18:00', end: '24:00' });
    expect(evaluateBusinessHours(late, at('2026-01-11T00:00:00Z')).interval).toEqual({ date: '2026-01-11', start: '00:00', end: '06:00' });
    expect(key(late, '2026-01-11T06:00:00Z')).toBe('closed-since-2026-01-11T06:00:00.000Z');
  });

  test('start equal to end means 24 hours', () => {
    const allDay = hours('UTC', { mon: [iv('00:00', '00:00')] });
    expect(openMinutes(allDay, '2026-01-04T23:00:00Z', '2026-01-06T01:00:00Z')).toBe(24 * 60);
  });
});

describe('exceptions', () => {
  const h = hours('Europe/Berlin', weekdays(nineToFive), {
    '2026-12-24': [iv('10:00', '14:00')],
    '2026-12-25': [],
    '2026-12-27': [iv('12:00', '13:00')], // a Sunday
  });

  test('a holiday is closed all day', () => {
    const r = evaluateBusinessHours(h, at('2026-12-25T10:00:00Z')); // Friday 11:00 local
    expect(r.open).toBe(false);
    expect(r.reason).toBe('closed: holiday 2026-12-25');
    expect(r.nextOpenAt?.toISOString()).toBe('2026-12-27T11:00:00.000Z');
  });

  test('special hours replace the weekday hours', () => {
    const before = evaluateBusinessHours(h, at('2026-12-24T08:30:00Z')); // 09:30 local: normally open
    expect(before.open).toBe(false);
    expect(before.reason).toBe('closed: outside special hours 2026-12-24 10:00-14:00 (Europe/Berlin)');
    expect(before.nextOpenAt?.toISOString()).toBe('2026-12-24T09:00:00.000Z');

    const during = evaluateBusinessHours(h, at('2026-12-24T09:00:00Z'));
    expect(during.open).toBe(true);
    expect(during.reason).toBe('open: special hours 2026-12-24 10:00-14:00 (Europe/Berlin)');
    expect(during.interval).toEqual({ date: '2026-12-24', start: '10:00', end: '14:00' });
    expect(isOpen(h, '2026-12-24T13:00:00Z')).toBe(false); // 14:00 local

    expect(isOpen(h, '2026-12-27T11:30:00Z')).toBe(true); // special opening on a Sunday
  });

  test('the closed period runs from the end of the special hours across the holiday', () => {
    const k = key(h, '2026-12-24T13:00:00Z');
    expect(k).toBe('closed-since-2026-12-24T13:00:00.000Z');
    expect(key(h, '2026-12-25T12:00:00Z')).toBe(k);
    expect(key(h, '2026-12-27T10:59:59Z')).toBe(k);
    expect(key(h, '2026-12-27T12:00:00Z')).not.toBe(k);
  });
});

describe('DST: Europe/Berlin', () => {
  const weekdayHours = hours('Europe/Berlin', weekdays(nineToFive));

  test('spring forward (2026-03-29 02:00 -> 03:00): 01:00-04:00 lasts two real hours', () => {
    const h = hours('Europe/Berlin', { sun: [iv('01:00', '04:00')] });
    expect(isOpen(h, '2026-03-28T23:59:59Z')).toBe(false); // 00:59:59 CET
    expect(nextOpen(h, '2026-03-28T23:59:59Z')).toBe('2026-03-29T00:00:00.000Z');
    expect(isOpen(h, '2026-03-29T00:00:00Z')).toBe(true); // 01:00 CET
    expect(isOpen(h, '2026-03-29T00:59:59Z')).toBe(true); // 01:59:59 CET
    expect(evaluateBusinessHours(h, at('2026-03-29T01:00:00Z')).local?.time).toBe('03:00'); // 02:xx does not exist
    expect(isOpen(h, '2026-03-29T01:00:00Z')).toBe(true);
    expect(isOpen(h, '2026-03-29T01:59:59Z')).toBe(true); // 03:59:59 CEST
    const after = evaluateBusinessHours(h, at('2026-03-29T02:00:00Z')); // 04:00 CEST
    expect(after.open).toBe(false);
    expect(after.periodKey).toBe('closed-since-2026-03-29T02:00:00.000Z');
    expect(after.nextOpenAt?.toISOString()).toBe('2026-04-04T23:00:00.000Z'); // next Sunday 01:00 CEST
    expect(openMinutes(h, '2026-03-28T20:00:00Z', '2026-03-29T06:00:00Z')).toBe(120);
  });

  test('fall back (2026-10-25 03:00 -> 02:00): 01:00-04:00 lasts four real hours, the repeated hour counts twice', () => {
    const h = hours('Europe/Berlin', { sun: [iv('01:00', '04:00')] });
    expect(nextOpen(h, '2026-10-24T22:00:00Z')).toBe('2026-10-24T23:00:00.000Z'); // 01:00 CEST
    expect(isOpen(h, '2026-10-24T22:59:59Z')).toBe(false);
    const first = evaluateBusinessHours(h, at('2026-10-25T00:30:00Z')); // 02:30 CEST
    const second = evaluateBusinessHours(h, at('2026-10-25T01:30:00Z')); // 02:30 CET
    expect(first.local?.time).toBe('02:30');
    expect(second.local?.time).toBe('02:30');
    expect(first.open && second.open).toBe(true);
    expect(isOpen(h, '2026-10-25T02:59:59Z')).toBe(true); // 03:59:59 CET
    expect(isOpen(h, '2026-10-25T03:00:00Z')).toBe(false); // 04:00 CET
    expect(key(h, '2026-10-25T03:00:00Z')).toBe('closed-since-2026-10-25T03:00:00.000Z');
    expect(openMinutes(h, '2026-10-24T20:00:00Z', '2026-10-25T06:00:00Z')).toBe(240);
  });

  test('an interval starting inside the spring-forward gap opens when the clock jumps', () => {
    const h = hours('Europe/Berlin', { sun: [iv('02:30', '05:00')] });
    expect(isOpen(h, '2026-03-29T00:59:59Z')).toBe(false); // 01:59:59 CET
    expect(nextOpen(h, '2026-03-29T00:30:00Z')).toBe('2026-03-29T01:00:00.000Z'); // 03:00 CEST
    expect(isOpen(h, '2026-03-29T01:00:00Z')).toBe(true);
    expect(isOpen(h, '2026-03-29T03:00:00Z')).toBe(false); // 05:00 CEST
  });

  test('an interval inside the repeated hour is open twice, two closed periods', () => {
    const h = hours('Europe/Berlin', { sun: [iv('02:00', '02:30')] });
    expect(isOpen(h, '2026-10-25T00:00:00Z')).toBe(true); // 02:00 CEST
    expect(isOpen(h, '2026-10-25T00:30:00Z')).toBe(false); // 02:30 CEST
    expect(nextOpen(h, '2026-10-25T00:45:00Z')).toBe('2026-10-25T01:00:00.000Z'); // 02:00 CET
    expect(key(h, '2026-10-25T00:45:00Z')).toBe('closed-since-2026-10-25T00:30:00.000Z');
    expect(isOpen(h, '2026-10-25T01:15:00Z')).toBe(true); // 02:15 CET
    expect(key(h, '2026-10-25T01:30:00Z')).toBe('closed-since-2026-10-25T01:30:00.000Z');
    expect(openMinutes(h, '2026-10-24T22:00:00Z', '2026-10-25T04:00:00Z')).toBe(60);
  });

  test('09:00-17:00 around the spring change, in UTC instants', () => {
    expect(isOpen(weekdayHours, '2026-03-27T07:59:59Z')).toBe(false); // Fri 08:59 CET
    expect(isOpen(weekdayHours, '2026-03-27T08:00:00Z')).toBe(true); // Fri 09:00 CET
    expect(isOpen(weekdayHours, '2026-03-27T16:00:00Z')).toBe(false); // Fri 17:00 CET
    expect(nextOpen(weekdayHours, '2026-03-28T12:00:00Z')).toBe('2026-03-30T07:00:00.000Z'); // across the switch
    expect(isOpen(weekdayHours, '2026-03-30T06:59:59Z')).toBe(false); // Mon 08:59 CEST
    expect(isOpen(weekdayHours, '2026-03-30T07:00:00Z')).toBe(true); // Mon 09:00 CEST
    expect(isOpen(weekdayHours, '2026-03-30T14:59:59Z')).toBe(true);
    expect(isOpen(weekdayHours, '2026-03-30T15:00:00Z')).toBe(false); // Mon 17:00 CEST
    expect(key(weekdayHours, '2026-03-28T12:00:00Z')).toBe('closed-since-2026-03-27T16:00:00.000Z');
    expect(key(weekdayHours, '2026-03-30T06:59:59Z')).toBe('closed-since-2026-03-27T16:00:00.000Z');
  });

  test('09:00-17:00 around the autumn change, in UTC instants', () => {
    expect(isOpen(weekdayHours, '2026-10-23T07:00:00Z')).toBe(true); // Fri 09:00 CEST
    expect(isOpen(weekdayHours, '2026-10-23T15:00:00Z')).toBe(false); // Fri 17:00 CEST
    expect(nextOpen(weekdayHours, '2026-10-24T12:00:00Z')).toBe('2026-10-26T08:00:00.000Z');
    expect(isOpen(weekdayHours, '2026-10-26T07:59:59Z')).toBe(false); // Mon 08:59 CET
    expect(isOpen(weekdayHours, '2026-10-26T08:00:00Z')).toBe(true); // Mon 09:00 CET
    expect(isOpen(weekdayHours, '2026-10-26T15:59:59Z')).toBe(true);
    expect(isOpen(weekdayHours, '2026-10-26T16:00:00Z')).toBe(false); // Mon 17:00 CET
  });
});

describe('DST: America/New_York', () => {
  const weekdayHours = hours('America/New_York', weekdays(nineToFive));

  test('spring forward (2026-03-08 02:00 -> 03:00): 01:00-04:00 lasts two real hours', () => {
    const h = hours('America/New_York', { sun: [iv('01:00', '04:00')] });
    expect(isOpen(h, '2026-03-08T05:59:59Z')).toBe(false); // 00:59:59 EST
    expect(nextOpen(h, '2026-03-08T05:00:00Z')).toBe('2026-03-08T06:00:00.000Z');
    expect(isOpen(h, '2026-03-08T06:00:00Z')).toBe(true); // 01:00 EST
    expect(isOpen(h, '2026-03-08T07:00:00Z')).toBe(true); // 03:00 EDT
    expect(isOpen(h, '2026-03-08T07:59:59Z')).toBe(true);
    expect(isOpen(h, '2026-03-08T08:00:00Z')).toBe(false); // 04:00 EDT
    expect(nextOpen(h, '2026-03-08T08:00:00Z')).toBe('2026-03-15T05:00:00.000Z'); // next Sunday 01:00 EDT
    expect(openMinutes(h, '2026-03-08T03:00:00Z', '2026-03-08T12:00:00Z')).toBe(120);
  });

  test('fall back (2026-11-01 02:00 -> 01:00): 01:00-04:00 lasts four real hours', () => {
    const h = hours('America/New_York', { sun: [iv('01:00', '04:00')] });
    expect(isOpen(h, '2026-11-01T04:59:59Z')).toBe(false); // 00:59:59 EDT
    expect(nextOpen(h, '2026-11-01T04:00:00Z')).toBe('2026-11-01T05:00:00.000Z'); // 01:00 EDT
    expect(isOpen(h, '2026-11-01T05:30:00Z')).toBe(true); // 01:30 EDT
    expect(isOpen(h, '2026-11-01T06:30:00Z')).toBe(true); // 01:30 EST
    expect(isOpen(h, '2026-11-01T08:59:59Z')).toBe(true); // 03:59:59 EST
    expect(isOpen(h, '2026-11-01T09:00:00Z')).toBe(false); // 04:00 EST
    expect(openMinutes(h, '2026-11-01T02:00:00Z', '2026-11-01T12:00:00Z')).toBe(240);
  });

  test('09:00-17:00 around the spring change, in UTC instants', () => {
    expect(isOpen(weekdayHours, '2026-03-06T13:59:59Z')).toBe(false); // Fri 08:59 EST
    expect(isOpen(weekdayHours, '2026-03-06T14:00:00Z')).toBe(true); // Fri 09:00 EST
    expect(nextOpen(weekdayHours, '2026-03-07T12:00:00Z')).toBe('2026-03-09T13:00:00.000Z');
    expect(isOpen(weekdayHours, '2026-03-09T12:59:59Z')).toBe(false); // Mon 08:59 EDT
    expect(isOpen(weekdayHours, '2026-03-09T13:00:00Z')).toBe(true); // Mon 09:00 EDT
    expect(isOpen(weekdayHours, '2026-03-09T20:59:59Z')).toBe(true);
    expect(isOpen(weekdayHours, '2026-03-09T21:00:00Z')).toBe(false); // Mon 17:00 EDT
    expect(evaluateBusinessHours(weekdayHours, at('2026-03-09T21:00:00Z')).reason).toBe('closed: outside Mon 09:00-17:00 (America/New_York)');
  });

  test('09:00-17:00 around the autumn change, in UTC instants', () => {
    expect(isOpen(weekdayHours, '2026-10-30T13:00:00Z')).toBe(true); // Fri 09:00 EDT
    expect(nextOpen(weekdayHours, '2026-10-31T12:00:00Z')).toBe('2026-11-02T14:00:00.000Z');
    expect(isOpen(weekdayHours, '2026-11-02T13:59:59Z')).toBe(false); // Mon 08:59 EST
    expect(isOpen(weekdayHours, '2026-11-02T14:00:00Z')).toBe(true); // Mon 09:00 EST
    expect(isOpen(weekdayHours, '2026-11-02T21:59:59Z')).toBe(true);
    expect(isOpen(weekdayHours, '2026-11-02T22:00:00Z')).toBe(false); // Mon 17:00 EST
    expect(key(weekdayHours, '2026-10-31T12:00:00Z')).toBe('closed-since-2026-10-30T21:00:00.000Z');
    expect(key(weekdayHours, '2026-11-02T13:59:59Z')).toBe('closed-since-2026-10-30T21:00:00.000Z');
  });
});
