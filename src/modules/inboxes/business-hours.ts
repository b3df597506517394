/**
 * Business hours: is an inbox open at a given instant, and if not, since when and until when.
 *
 * Pure and deterministic (safe inside the Temporal workflow sandbox): the instant is always a
 * parameter, and time-zone math uses only Intl.DateTimeFormat#formatToParts.
 *
 * How it works: the inbox's local wall-clock schedule (weekday intervals, date exceptions, intervals
 * across midnight) is turned into exact UTC "open stretches" for a window of local dates around the
 * instant. The zone's UTC offset is piecewise constant; its transitions (DST) are located by sampling
 * and bisection, and each wall-clock interval [a, b) is mapped through every constant-offset piece.
 * That makes the DST rules fall out by themselves:
 *  - local times that do not exist (spring-forward gap) are simply never reached;
 *  - repeated local times (fall-back) are open both times they occur.
 */
import type { BusinessHours, TimeInterval, Weekday } from './inbox-settings';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** How far ahead `nextOpenAt` is searched. */
export const NEXT_OPEN_SEARCH_DAYS = 14;
/** How far back the end of the preceding open stretch is searched (for `periodKey`). */
export const CLOSED_PERIOD_LOOKBACK_DAYS = 31;
/** Sampling step when looking for UTC-offset transitions; real zones never change twice within it. */
const OFFSET_SAMPLE_MS = 12 * HOUR_MS;

/** Indexed by Date#getUTCDay(). */
const WEEKDAY_BY_UTC_DAY: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const WEEKDAY_LABEL: Record<Weekday, string> = { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' };

export interface BusinessHoursInterval {
  /** Local date (YYYY-MM-DD) the interval belongs to: for a spill-over after midnight, the day before. */
  date: string;
  start: string;
  end: string;
}

export interface BusinessHoursDecision {
  open: boolean;
  /** A readable sentence, e.g. 'open: Mon 09:00-17:00 (Europe/Berlin)' or 'closed: holiday 2026-12-25'. */
  reason: string;
  /** When open: the interval that matched. */
  interval?: BusinessHoursInterval;
  /**
   * When closed: the same string for every instant of one closed stretch and a different one for the
   * next closed stretch ('closed-since-<ISO instant the preceding open stretch ended>'), so the
   * workflow can send the out-of-office text once per closed period.
   */
  periodKey?: string;
  /** When closed: the next instant it opens, searched up to NEXT_OPEN_SEARCH_DAYS ahead. */
  nextOpenAt?: Date;
  /** Local wall clock at the instant (absent when business hours are off). */
  local?: { date: string; time: string; weekday: Weekday; timezone: string };
}

interface ParsedInterval {
  startMin: number;
  endMin: number;
  /** True when end <= start: the interval ends on the next day. */
  overnight: boolean;
  label: string;
}

interface OpenStretch {
  start: number;
  end: number;
  date: string;
  interval: ParsedInterval;
  isException: boolean;
  weekday: Weekday;
}

interface OffsetPiece {
  start: number;
  end: number;
  offset: number;
}

export function evaluateBusinessHours(hours: BusinessHours, at: Date | number): BusinessHoursDecision {
  if (!hours || !hours.enabled) return { open: true, reason: 'business hours off' };
  const t = typeof at === 'number' ? at : at.getTime();
  if (!Number.isFinite(t)) throw new Error('evaluateBusinessHours: invalid instant');
  const tz = hours.timezone || 'UTC';
  const clock = new ZoneClock(tz);

  const localDay = Math.floor(clock.wall(t) / DAY_MS);
  const firstDay = localDay - CLOSED_PERIOD_LOOKBACK_DAYS - 1;
  const lastDay = localDay + NEXT_OPEN_SEARCH_DAYS + 1;
  const lo = t - (CLOSED_PERIOD_LOOKBACK_DAYS + 3) * DAY_MS;
  const hi = t + (NEXT_OPEN_SEARCH_DAYS + 3) * DAY_MS;

  const pieces = clock.offsetPieces(lo, hi);
  const stretches = openStretches(hours, pieces, firstDay, lastDay);

  const wallNow = clock.wall(t);
  const local = {
    date: isoDate(localDay),
    time: hhmm(Math.floor((wallNow - localDay * DAY_MS) / MINUTE_MS)),
    weekday: weekdayOf(localDay),
    timezone: tz,
  };

  const hit = stretches.find((s) => s.start <= t && t < s.end);
  if (hit) {
    return {
      open: true,
      reason: `open: ${describeDay(hit.isException, hit.date, hit.weekday)} ${hit.interval.label} (${tz})`,
      interval: { date: hit.date, start: hhmm(hit.interval.startMin), end: hhmm(hit.interval.endMin) },
      local,
    };
  }

  const merged = mergeStretches(stretches);
  const next = merged.find((s) => s.start > t && s.start <= t + NEXT_OPEN_SEARCH_DAYS * DAY_MS);
  let previousEnd: number | undefined;
  for (const s of merged) {
    // Ends close to the window's lower edge could belong to a stretch only partly generated: ignore them.
    if (s.end <= t && s.end > lo + 3 * DAY_MS) previousEnd = s.end;
  }
  const periodKey =
    previousEnd !== undefined
      ? `closed-since-${new Date(previousEnd).toISOString()}`
      : next
        ? `closed-until-${new Date(next.start).toISOString()}`
        : 'closed-no-open-hours';

  return {
    open: false,
    reason: closedReason(hours, localDay, tz),
    periodKey,
    nextOpenAt: next ? new Date(next.start) : undefined,
    local,
  };
}

// ---------------------------------------------------------------------------------------------
// Schedule -> UTC open stretches

function intervalsFor(hours: BusinessHours, day: number): { list: TimeInterval[]; isException: boolean } {
  const date = isoDate(day);
  const exceptions = hours.exceptions ?? {};
  if (Object.prototype.hasOwnProperty.call(exceptions, date) && Array.isArray(exceptions[date])) {
    return { list: exceptions[date], isException: true };
  }
  const list = (hours.intervals ?? {})[weekdayOf(day)];
  return { list: Array.isArray(list) ? list : [], isException: false };
}

function openStretches(hours: BusinessHours, pieces: OffsetPiece[], firstDay: number, lastDay: number): OpenStretch[] {
  const out: OpenStretch[] = [];
  for (let day = firstDay; day <= lastDay; day++) {
    const { list, isException } = intervalsFor(hours, day);
    for (const raw of list) {
      const interval = parseInterval(raw);
      if (!interval) continue;
      // Wall-clock range, expressed as "UTC-like" milliseconds of the local wall time.
      const a = day * DAY_MS + interval.startMin * MINUTE_MS;
      const b = (interval.overnight ? (day + 1) * DAY_MS : day * DAY_MS) + interval.endMin * MINUTE_MS;
      for (const p of pieces) {
        const start = Math.max(a - p.offset, p.start);
        const end = Math.min(b - p.offset, p.end);
        if (start < end) out.push({ start, end, date: isoDate(day), interval, isException, weekday: weekdayOf(day) });
      }
    }
  }
  return out;
}

function mergeStretches(stretches: OpenStretch[]): { start: number; end: number }[] {
  const sorted = stretches.map((s) => ({ start: s.start, end: s.end })).sort((x, y) => x.start - y.start || x.end - y.end);
  const merged: { start: number; end: number }[] = [];
  for (const s of sorted) {
    const last = merged[merged.length - 1];
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else merged.push({ ...s });
  }
  return merged;
}

/** 'HH:MM' -> minutes; '24:00' only as an end. Invalid intervals are ignored. */
function parseInterval(raw: TimeInterval | null | undefined): ParsedInterval | null {
  if (!raw || typeof raw !== 'object') return null;
  const startMin = parseTime(raw.start);
  const endMin = parseTime(raw.end);
  if (startMin === null || endMin === null || startMin >= 24 * 60) return null;
  return { startMin, endMin, overnight: endMin <= startMin, label: `${hhmm(startMin)}-${hhmm(endMin)}` };
}

function parseTime(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const m = /^(\d{1,2}):(\d{2})$/.exec(value.trim());
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59 || h > 24 || (h === 24 && min !== 0)) return null;
  return h * 60 + min;
}

// ---------------------------------------------------------------------------------------------
// Reasons

function describeDay(isException: boolean, date: string, weekday: Weekday): string {
  return isException ? `special hours ${date}` : WEEKDAY_LABEL[weekday];
}

function closedReason(hours: BusinessHours, day: number, tz: string): string {
  const { list, isException } = intervalsFor(hours, day);
  const date = isoDate(day);
  const weekday = weekdayOf(day);
  const labels = list.map(parseInterval).filter((i): i is ParsedInterval => i !== null).map((i) => i.label);
  if (labels.length === 0) {
    return isException ? `closed: holiday ${date}` : `closed: no business hours on ${WEEKDAY_LABEL[weekday]} (${tz})`;
  }
  return `closed: outside ${describeDay(isException, date, weekday)} ${labels.join(', ')} (${tz})`;
}

// ---------------------------------------------------------------------------------------------
// Calendar helpers (days are counted since 1970-01-01 on the local wall calendar)

function isoDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function weekdayOf(day: number): Weekday {
  return WEEKDAY_BY_UTC_DAY[new Date(day * DAY_MS).getUTCDay()];
}

function hhmm(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

// ---------------------------------------------------------------------------------------------
// Time zone: wall clock and UTC-offset pieces, via Intl only

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
    } catch {
      throw new Error(`business hours: unknown time zone "${timeZone}"`);
    }
    formatters.set(timeZone, f);
  }
  return f;
}

class ZoneClock {
  private readonly fmt: Intl.DateTimeFormat;

  constructor(timeZone: string) {
    this.fmt = formatterFor(timeZone);
  }

  /** The local wall time at instant t, as milliseconds of the same wall time read as UTC. */
  wall(t: number): number {
    const whole = Math.floor(t / 1000) * 1000;
    let y = 1970, mo = 1, d = 1, h = 0, mi = 0, s = 0;
    for (const p of this.fmt.formatToParts(new Date(whole))) {
      switch (p.type) {
        case 'year': y = Number(p.value); break;
        case 'month': mo = Number(p.value); break;
        case 'day': d = Number(p.value); break;
        case 'hour': h = Number(p.value) % 24; break; // some engines print midnight as 24
        case 'minute': mi = Number(p.value); break;
        case 'second': s = Number(p.value); break;
      }
    }
    return Date.UTC(y, mo - 1, d, h, mi, s) + (t - whole);
  }

  offset(t: number): number {
    return this.wall(t) - t;
  }

  /** [lo, hi) split where the UTC offset changes; each piece has one offset. */
  offsetPieces(lo: number, hi: number): OffsetPiece[] {
    const pieces: OffsetPiece[] = [];
    let pieceStart = lo;
    let current = this.offset(lo);
    let prev = lo;
    while (prev < hi) {
      const next = Math.min(prev + OFFSET_SAMPLE_MS, hi);
      if (this.offset(next) === current) {
        prev = next;
        continue;
      }
      // Bisect (prev, next] for the first instant with a different offset. Zones change offset on
      // whole seconds, so bisect seconds (`prev` may carry milliseconds: start from its second).
      let a = Math.floor(prev / 1000) * 1000;
      let b = next;
      while (b - a > 1000) {
        const m = a + 1000 * Math.max(1, Math.floor((b - a) / 2000));
        if (this.offset(m) === current) a = m;
        else b = m;
      }
      pieces.push({ start: pieceStart, end: b, offset: current });
      pieceStart = b;
      current = this.offset(b);
      prev = b;
    }
    pieces.push({ start: pieceStart, end: hi, offset: current });
    return pieces;
  }
}

// ---------------------------------------------------------------------------------------------
// Business time between two instants (reports)

/** Counts the open time of a schedule between instants, for many pairs inside one window. */
export interface BusinessTimeMeter {
  /** Milliseconds of [a, b) inside open hours (0 when b <= a). */
  between(a: number, b: number): number;
}

/**
 * Builds a meter for instants inside [lo, hi] (a little margin is added): the schedule's open
 * stretches in that window are computed once (same rules as evaluateBusinessHours: several
 * intervals a day, across midnight, date exceptions, DST) and merged, with a running sum, so each
 * `between` is two binary searches. Business hours off: every instant counts (open all the time).
 */
export function businessTimeMeter(hours: BusinessHours | null | undefined, lo: number, hi: number): BusinessTimeMeter {
  if (!hours || !hours.enabled) return { between: (a, b) => Math.max(0, b - a) };
  const clock = new ZoneClock(hours.timezone || 'UTC');
  const from = lo - 2 * DAY_MS;
  const to = hi + 2 * DAY_MS;
  const pieces = clock.offsetPieces(from - DAY_MS, to + DAY_MS);
  const firstDay = Math.floor(clock.wall(from) / DAY_MS) - 1;
  const lastDay = Math.floor(clock.wall(to) / DAY_MS) + 1;
  const merged = mergeStretches(openStretches(hours, pieces, firstDay, lastDay));
  const starts = merged.map((s) => s.start);
  const before: number[] = []; // open ms before merged[i]
  let sum = 0;
  for (const s of merged) {
    before.push(sum);
    sum += s.end - s.start;
  }
  /** Open milliseconds before instant t (within the window). */
  const openBefore = (t: number): number => {
    let a = 0;
    let b = starts.length; // first stretch starting after t
    while (a < b) {
      const m = (a + b) >> 1;
      if (starts[m] <= t) a = m + 1;
      else b = m;
    }
    if (a === 0) return 0;
    const s = merged[a - 1];
    return before[a - 1] + Math.min(t, s.end) - s.start;
  };
  return { between: (a, b) => (b <= a ? 0 : openBefore(b) - openBefore(a)) };
}
