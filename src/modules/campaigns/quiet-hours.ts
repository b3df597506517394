/**
 * Quiet hours in a recipient's time zone: a daily window of local wall-clock time ("21:00" to
 * "08:00" crosses midnight) in which nothing is sent; a recipient reached inside it is deferred to the
 * window's end (their morning). Pure code over Intl (no Nest, no database).
 */

export interface QuietHours {
  /** "HH:MM" (or "HH:MM:SS"), local time: the window starts here (inclusive) ... */
  start: string;
  /** ... and ends here (exclusive). */
  end: string;
}

/** A time of day, "HH:MM" or "HH:MM:SS" (24 h). */
export const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/;
export const TIME_OF_DAY_PROBLEM = 'must be a time HH:MM or HH:MM:SS (00:00-23:59:59)';

const secondsOf = (time: string): number => Number(time.slice(0, 2)) * 3600 + Number(time.slice(3, 5)) * 60 + (time.length > 5 ? Number(time.slice(6, 8)) : 0);

/** "08:00" and "08:00:00" are the same time: such a window is empty. */
export const isEmptyWindow = (quiet: QuietHours): boolean => secondsOf(quiet.start) === secondsOf(quiet.end);

const formatters = new Map<string, Intl.DateTimeFormat>();

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock time at `t` in `zone`, as milliseconds of that wall time read as UTC. */
function wall(t: number, zone: string): number {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(zone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(Math.floor(t / 1000) * 1000)).map((x) => [x.type, x.value]));
  return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour) % 24, Number(p.minute), Number(p.second));
}

/**
 * null when `at` is outside the quiet window in `zone`; otherwise the instant the window ends there.
 * The end is found on the wall clock and mapped back with the zone's offset at that instant (a DST
 * change inside the window moves it by the change, as a person's alarm clock would).
 */
export function quietUntil(quiet: QuietHours, zone: string, at: number): number | null {
  if (isEmptyWindow(quiet)) return null;
  const start = secondsOf(quiet.start);
  const end = secondsOf(quiet.end);
  const w = wall(at, zone);
  const second = Math.floor((w % 86_400_000) / 1000);
  const inside = start < end ? second >= start && second < end : second >= start || second < end;
  if (!inside) return null;
  const dayStart = w - (w % 86_400_000);
  const endWall = dayStart + end * 1000 + (second >= end ? 86_400_000 : 0);
  let t = Math.floor(at / 1000) * 1000 + (endWall - w); // wall() reads whole seconds
  t += endWall - wall(t, zone); // correct for an offset change between now and then
  return t;
}
