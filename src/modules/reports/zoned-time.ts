/** Calendar periods in a time zone, with Intl only (reports: days, ISO weeks, months). */

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The local wall time at t, as milliseconds of the same wall time read as UTC. */
export function wallTime(t: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(Math.floor(t / 1000) * 1000))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour % 24, parts.minute, parts.second) + (t - Math.floor(t / 1000) * 1000);
}

/** The instant of local midnight starting the local date `yyyy-mm-dd` (the first instant of that date). */
export function localMidnight(date: string, timeZone: string): number {
  const wall = Date.parse(`${date}T00:00:00.000Z`);
  let t = wall - (wallTime(wall, timeZone) - wall);
  // Once more with the offset at the first guess (a DST change between UTC and local midnight).
  t = wall - (wallTime(t, timeZone) - t);
  return t;
}

export type PeriodGroup = 'day' | 'week' | 'month';

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Key (sortable: the day, the week's Monday, the month "YYYY-MM") and label ("2026-W10") of the period holding t. */
export function periodOf(t: number, group: PeriodGroup, timeZone: string): { key: string; label: string } {
  const day = Math.floor(wallTime(t, timeZone) / DAY_MS) * DAY_MS;
  if (group === 'day') {
    const key = iso(day);
    return { key, label: key };
  }
  if (group === 'month') {
    const key = iso(day).slice(0, 7);
    return { key, label: key };
  }
  const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday 0
  const monday = day - weekday * DAY_MS;
  // ISO week: the week of the year holding its Thursday.
  const thursday = new Date(monday + 3 * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return { key: iso(monday), label: `${year}-W${String(week).padStart(2, '0')}` };
}

/**
 * periodOf for many instants inside [from, to): the local midnights of the range are computed once
 * (two Intl calls a day) and each instant is a binary search, not a time-zone conversion.
 */
export function periodLookup(from: number, to: number, group: PeriodGroup, timeZone: string): (t: number) => { key: string; label: string } {
  const firstDay = Math.floor(wallTime(from, timeZone) / DAY_MS) * DAY_MS;
  const lastDay = Math.floor(wallTime(Math.max(from, to - 1), timeZone) / DAY_MS) * DAY_MS;
  const starts: number[] = [];
  const periods: { key: string; label: string }[] = [];
  for (let day = firstDay; day <= lastDay; day += DAY_MS) {
    starts.push(localMidnight(iso(day), timeZone));
    // The local date's period, by calendar arithmetic (noon UTC of that date has the same date).
    periods.push(periodOf(day + 12 * 3_600_000, group, 'UTC'));
  }
  return (t) => {
    if (t < starts[0] || t >= to) return periodOf(t, group, timeZone);
    let a = 0;
    let b = starts.length;
    while (b - a > 1) {
      const m = (a + b) >> 1;
      if (starts[m] <= t) a = m;
      else b = m;
    }
    return periods[a];
  };
}
