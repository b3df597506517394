import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError } from '../../common/domain-error';
import { conditionAttributePaths, validateConditionList } from '../routing/condition-catalog';
import { loadConditionContext } from '../routing/condition-context';
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

const SECTIONS = ['businessHours', 'csat', 'routing', 'autoUnassign'] as const;
const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Checks what the DTO cannot: maps keyed by weekday or date, and the time zone. */
export function validateInboxSettings(settings: InboxSettings, limits: { minGraceSeconds: number } = { minGraceSeconds: 30 }): void {
  // The DTO refuses arrays and scalars where these objects belong; merged settings are checked again
  // because a section replaced by anything else (routing: []) would switch the feature off unseen.
  if (!isPlainObject(settings)) throw DomainError.invalid('settings', 'must be an object');
  for (const section of SECTIONS) {
    if (!isPlainObject(settings[section])) throw DomainError.invalid(`settings.${section}`, 'must be an object');
  }
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

/** The routing rules a create or update sends (`settings.routing.rules`); none when it sends none. */
function patchedRoutingRules(settingsPatch: unknown): unknown[] {
  const routing = isPlainObject(settingsPatch) ? settingsPatch.routing : undefined;
  return isPlainObject(routing) && Array.isArray(routing.rules) ? routing.rules : [];
}

/** At most this many condition problems in one answer (a pasted rule set may be wrong everywhere). */
const MAX_REPORTED_PROBLEMS = 50;

/**
 * The conditions of the routing rules a create or update sends, checked against the attribute
 * catalog (condition-catalog.ts) in the routing scope: attributes routing facts hold (and the
 * account's custom and platform contact attributes), operators that fit each attribute's type,
 * values of the right shape, groups nested at most 6 levels. Every problem names its field
 * (settings.routing.rules.<i>.conditions.<j>[.all|any.<k>...].attribute|operator|value).
 * Rules already stored are not re-checked: only a change to the rules is.
 */
export async function validateRoutingConditions(em: EntityManager, input: { accountId: string; settingsPatch: unknown }): Promise<void> {
  const rules = patchedRoutingRules(input.settingsPatch);
  if (rules.length === 0) return;
  const conditionsOf = (rule: unknown) => (isPlainObject(rule) ? rule.conditions : undefined);
  const ctx = await loadConditionContext(em, { accountId: input.accountId, attributePaths: rules.flatMap((r) => conditionAttributePaths(conditionsOf(r))), scope: 'routing' });
  const problems = rules.flatMap((rule, i) => validateConditionList(conditionsOf(rule) ?? [], { ...ctx, field: `settings.routing.rules.${i}.conditions` }));
  if (problems.length === 0) return;
  const shown = problems.slice(0, MAX_REPORTED_PROBLEMS);
  throw new DomainError('VALIDATION_FAILED', shown.map((p) => `${p.field}: ${p.problem}`).join('; '), shown);
}

/**
 * Routing rules may only send conversations where the queue can assign them (drain-queue.use-case.ts
 * picks among the inbox's members who are not disabled): a team of the caller's account, or an agent
 * of the account who is a member of this inbox. Any other target was stored and then held its
 * conversations in the queue forever. Checked for the rules a create or update sends
 * (`settings.routing.rules`); `inboxId` is null while the inbox is being created (no members yet).
 * Field names follow the DTO's (settings.routing.rules.<i>.target.id).
 */
export async function validateRoutingTargets(
  em: EntityManager,
  input: { accountId: string; inboxId: string | null; settingsPatch: unknown },
): Promise<void> {
  const rules = patchedRoutingRules(input.settingsPatch) as { target?: { type?: string; id?: string } }[];
  const targets = rules.map((rule, index) => ({ index, type: rule.target?.type, id: rule.target?.id }));
  const teamIds = [...new Set(targets.filter((t) => t.type === 'team' && t.id).map((t) => t.id!))];
  const agentIds = [...new Set(targets.filter((t) => t.type === 'agent' && t.id).map((t) => t.id!))];
  const teams = new Set(
    teamIds.length
      ? (await em.execute<{ id: string }[]>(`select id from teams where account_id = ? and id in (?)`, [input.accountId, teamIds])).map((r) => r.id)
      : [],
  );
  const agents = new Map(
    agentIds.length
      ? (
          await em.execute<{ id: string; disabled: boolean; member: boolean }[]>(
            `select u.id, u.disabled_at is not null as disabled,
                    exists (select 1 from inbox_memberships m where m.user_id = u.id and m.inbox_id = ?) as member
               from users u where u.account_id = ? and u.id in (?)`,
            [input.inboxId ?? '00000000-0000-0000-0000-000000000000', input.accountId, agentIds],
          )
        ).map((r) => [r.id, r] as const)
      : [],
  );
  for (const target of targets) {
    const field = `settings.routing.rules.${target.index}.target.id`;
    if (target.type === 'team' && target.id && !teams.has(target.id)) throw DomainError.invalid(field, 'no team with this id in your account');
    if (target.type !== 'agent' || !target.id) continue;
    const agent = agents.get(target.id);
    if (!agent) throw DomainError.invalid(field, 'no user with this id in your account');
    if (agent.disabled) throw DomainError.invalid(field, 'this user is disabled; routing never assigns to disabled users');
    if (!agent.member) {
      throw DomainError.invalid(
        field,
        `this user is not a member of ${input.inboxId ? 'this' : 'the new'} inbox; routing assigns only the inbox's members, so its conversations would wait forever (add the user to the inbox first)`,
      );
    }
  }
}
