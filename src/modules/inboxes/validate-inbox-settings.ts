import { DomainError } from '../../common/domain-error';
import { WEEKDAYS, type InboxSettings } from './inbox-settings';

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function checkIntervals(field: string, list: unknown): void {
  if (!Array.isArray(list)) throw DomainError.invalid(field, 'must be a list of {start, end}');
  if (list.length > 10) throw DomainError.invalid(field, 'at most 10 intervals per day');
  list.forEach((iv, i) => {
    const at = `${field}[${i}]`;
    if (!iv || typeof iv !== 'object') throw DomainError.invalid(at, 'must be {start, end}');
    const { start, end, ...rest } = iv as Record<string, unknown>;
    if (Object.keys(rest).length) throw DomainError.invalid(`${at}.${Object.keys(rest)[0]}`, 'is not a known field');
    if (typeof start !== 'string' || !HHMM.test(start)) throw DomainError.invalid(`${at}.start`, 'must be HH:MM (00:00-24:00)');
    if (typeof end !== 'string' || !HHMM.test(end)) throw DomainError.invalid(`${at}.end`, 'must be HH:MM (00:00-24:00)');
    if (start === end) throw DomainError.invalid(at, 'start and end must differ');
  });
}

/** Checks what the DTO cannot: maps keyed by weekday or date, and the time zone. */
export function validateInboxSettings(settings: InboxSettings, limits: { minGraceSeconds: number } = { minGraceSeconds: 30 }): void {
  const grace = settings.autoUnassign.graceSeconds;
  if (grace < limits.minGraceSeconds || grace > 600) {
    throw DomainError.invalid('settings.autoUnassign.graceSeconds', `must be from ${limits.minGraceSeconds} to 600 seconds`);
  }
  const bh = settings.businessHours;
  if (!isTimeZone(bh.timezone)) throw DomainError.invalid('settings.businessHours.timezone', `unknown time zone "${bh.timezone}"`);
  for (const [day, list] of Object.entries(bh.intervals ?? {})) {
    if (!(WEEKDAYS as readonly string[]).includes(day)) {
      throw DomainError.invalid(`settings.businessHours.intervals.${day}`, `is not a weekday (use ${WEEKDAYS.join(', ')})`);
    }
    checkIntervals(`settings.businessHours.intervals.${day}`, list);
  }
  for (const [date, list] of Object.entries(bh.exceptions ?? {})) {
    if (!DATE.test(date)) throw DomainError.invalid(`settings.businessHours.exceptions.${date}`, 'must be keyed by YYYY-MM-DD');
    checkIntervals(`settings.businessHours.exceptions.${date}`, list);
  }
}
