import { quietUntil } from '../../src/modules/campaigns/quiet-hours';

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
});
