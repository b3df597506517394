/** Calendar periods in a time zone, with Intl only (reports: days, ISO weeks, months). */
import { DomainError } from '../../common/domain-error';

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

const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

/**
 * SQL of a timestamptz column's period in a time zone: its key (the local day, the ISO week's Monday,
 * the month "YYYY-MM") and label ("2026-W10"). The zone is an IANA name that Intl knows (account
 * settings are validated so), checked again here and inlined as a literal.
 */
export function sqlPeriod(column: string, group: PeriodGroup, timeZone: string): { key: string; label: string } {
  if (!ZONE_NAME.test(timeZone)) throw new Error(`not a time zone name: ${timeZone}`);
  new Intl.DateTimeFormat('en-US', { timeZone }); // throws RangeError for a zone Intl does not know
  const local = `(${column} at time zone '${timeZone}')`;
  if (group === 'day') return { key: `to_char(${local}, 'YYYY-MM-DD')`, label: `to_char(${local}, 'YYYY-MM-DD')` };
  if (group === 'week') return { key: `to_char(date_trunc('week', ${local}), 'YYYY-MM-DD')`, label: `to_char(date_trunc('week', ${local}), 'IYYY-"W"IW')` };
  return { key: `to_char(${local}, 'YYYY-MM')`, label: `to_char(${local}, 'YYYY-MM')` };
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A report's `from` / `to`: an ISO date-time as it is, or an ISO date as local midnight in the zone
 * (for `to`, the midnight after it: that whole day is included). 400 naming the field otherwise.
 */
export function parseReportBound(field: 'from' | 'to', value: string, endOfDay: boolean, timeZone: string): number {
  if (DATE_ONLY.test(value)) {
    if (Number.isNaN(Date.parse(`${value}T00:00:00Z`))) throw DomainError.invalid(field, 'must be an ISO 8601 date or date-time');
    const day = endOfDay ? new Date(Date.parse(`${value}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10) : value;
    return localMidnight(day, timeZone);
  }
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw DomainError.invalid(field, 'must be an ISO 8601 date or date-time');
  return t;
}
