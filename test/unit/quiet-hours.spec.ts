import { quietUntil, TIME_OF_DAY } from '../../src/modules/campaigns/quiet-hours';

const at = (iso: string) => Date.parse(iso);

describe('quietUntil', () => {
  const night = { start: '21:00', end: '08:00' };

  test('outside the window: null', () => {
    expect(quietUntil(night, 'UTC', at('2026-06-01T12:00:00Z'))).toBeNull();
    expect(quietUntil(night, 'UTC', at('2026-06-01T08:00:00Z'))).toBeNull(); // the end is exclusive
  });

  test('inside, before midnight: the end is the next morning', () => {
    expect(quietUntil(night, 'UTC', at('2026-06-01T22:30:00Z'))).toBe(at('2026-06-02T08:00:00Z'));
    expect(quietUntil(night, 'UTC', at('2026-06-01T21:00:00Z'))).toBe(at('2026-06-02T08:00:00Z'));
    expect(quietUntil(night, 'UTC', at('2026-06-01T23:59:59.789Z'))).toBe(at('2026-06-02T08:00:00Z'));
  });

  test('inside, after midnight: the end is the same morning', () => {
    expect(quietUntil(night, 'UTC', at('2026-06-02T03:15:00Z'))).toBe(at('2026-06-02T08:00:00Z'));
  });

  test("in the recipient's zone", () => {
    // 13:00 UTC is 22:00 in Tokyo: quiet until 08:00 Tokyo = 23:00 UTC.
    expect(quietUntil(night, 'Asia/Tokyo', at('2026-06-01T13:00:00Z'))).toBe(at('2026-06-01T23:00:00Z'));
    // ... and 09:00 in New York (EDT): not quiet.
    expect(quietUntil(night, 'America/New_York', at('2026-06-01T13:00:00Z'))).toBeNull();
  });

  test('a window within one day', () => {
    const lunch = { start: '12:00', end: '13:30' };
    expect(quietUntil(lunch, 'UTC', at('2026-06-01T12:10:00Z'))).toBe(at('2026-06-01T13:30:00Z'));
    expect(quietUntil(lunch, 'UTC', at('2026-06-01T11:59:00Z'))).toBeNull();
  });

  test('a DST change inside the window: the wall-clock end in the new offset', () => {
    // Berlin: 2026-03-29 02:00 CET → 03:00 CEST. 23:00 CET (22:00 UTC) → 08:00 CEST = 06:00 UTC.
    expect(quietUntil(night, 'Europe/Berlin', at('2026-03-28T22:00:00Z'))).toBe(at('2026-03-29T06:00:00Z'));
  });

  test('start equal to end: never quiet', () => {
    expect(quietUntil({ start: '08:00', end: '08:00' }, 'UTC', at('2026-06-01T08:00:00Z'))).toBeNull();
  });

  test('times with seconds: the window starts and ends on the second', () => {
    const short = { start: '10:15:30', end: '10:15:45' };
    expect(quietUntil(short, 'UTC', at('2026-06-01T10:15:29.999Z'))).toBeNull();
    expect(quietUntil(short, 'UTC', at('2026-06-01T10:15:30Z'))).toBe(at('2026-06-01T10:15:45Z'));
    expect(quietUntil(short, 'Europe/Berlin', at('2026-06-01T08:15:40Z'))).toBe(at('2026-06-01T08:15:45Z')); // UTC+2
    expect(quietUntil(short, 'UTC', at('2026-06-01T10:15:45Z'))).toBeNull();
    expect(quietUntil({ start: '23:59:50', end: '00:00:10' }, 'UTC', at('2026-06-01T23:59:55Z'))).toBe(at('2026-06-02T00:00:10Z'));
  });

  test('the accepted time formats', () => {
    expect(['00:00', '23:59', '08:00:00', '23:59:59'].filter((t) => !TIME_OF_DAY.test(t))).toEqual([]);
    expect(['24:00', '8:00', '08:60', '08:00:60', '08:00:5', '08:00:00.5', ''].filter((t) => TIME_OF_DAY.test(t))).toEqual([]);
  });
});
