/**
 * The "why" behind a decision, rendered from its recorded details (readable, not raw JSON):
 * rule traces with each condition's actual value, the candidate agents with load / capacity /
 * online and the chosen one, the business-hours facts behind an out-of-office, the logout behind
 * an auto-unassign, automation firings with their actions. The shapes are the ones the API records
 * (src/modules/routing, presence, conversations/use-cases/reply-out-of-office, automation).
 */
import { Badge, Box, Group, List, Stack, Table, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { Fragment, type ReactNode } from 'react';

type Details = Record<string, unknown>;

export const isObject = (v: unknown): v is Details => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);

/** A value as a person reads it: strings as they are, lists joined, objects as `key: value`. */
export function show(v: unknown): string {
  if (v === undefined) return '(none)';
  if (v === null) return 'null';
  if (typeof v === 'string') return v === '' ? '""' : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.length ? v.map(show).join(', ') : '(empty list)';
  if (isObject(v))
    return Object.entries(v)
      .map(([k, x]) => `${k}: ${show(x)}`)
      .join(', ');
  return String(v);
}

export function when(iso: unknown): string {
  const s = str(iso);
  if (!s) return '(unknown)';
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? s : d.toLocaleString();
}

function Facts({ rows }: { rows: [string, ReactNode][] }) {
  const shown = rows.filter(([, v]) => v !== null && v !== undefined && v !== '');
  if (!shown.length) return null;
  return (
    <Box component="dl" m={0} fz="sm" style={{ display: 'grid', gridTemplateColumns: 'max-content minmax(0, 1fr)', columnGap: 'var(--mantine-spacing-md)', rowGap: 4 }}>
      {shown.map(([k, v]) => (
        <Fragment key={k}>
          <Text component="dt" size="sm" c="dimmed">
            {k}
          </Text>
          <Text component="dd" size="sm" m={0} style={{ overflowWrap: 'anywhere' }}>
            {v}
          </Text>
        </Fragment>
      ))}
    </Box>
  );
}

const Held = ({ passed }: { passed: boolean }) => (
  <Badge size="sm" variant="light" color={passed ? 'teal' : 'gray'}>
    {passed ? 'held' : 'did not hold'}
  </Badge>
);

// --------------------------------------------------------------------------------------------
// Condition traces: the same tree as the conditions, groups { all | any, matched }, leaves
// { attribute, operator, expected, actual, passed }.

interface TraceRow {
  depth: number;
  group?: { mode: 'all' | 'any'; matched: boolean };
  condition?: { attribute: string; operator: string; expected: unknown; actual: unknown; passed: boolean };
}

function flatten(node: unknown, depth: number, out: TraceRow[]) {
  if (!isObject(node)) return;
  if (Array.isArray(node.all) || Array.isArray(node.any)) {
    const mode = Array.isArray(node.all) ? 'all' : 'any';
    out.push({ depth, group: { mode, matched: node.matched === true } });
    for (const child of node[mode] as unknown[]) flatten(child, depth + 1, out);
    return;
  }
  out.push({ depth, condition: { attribute: String(node.attribute ?? '?'), operator: String(node.operator ?? '?'), expected: node.expected, actual: node.actual, passed: node.passed === true } });
}

/** A condition trace as a table: each condition with what it expected, what the conversation had, and whether it held. */
export function ConditionTable({ trace, label }: { trace: unknown; label: string }) {
  const rows: TraceRow[] = [];
  if (Array.isArray(trace)) for (const n of trace) flatten(n, 0, rows);
  else flatten(trace, 0, rows);
  if (!rows.length) return <Text size="sm" c="dimmed">No conditions (the rule always matches).</Text>;
  return (
    <Table.ScrollContainer minWidth={330}>
      <Table striped withTableBorder aria-label={label} fz="sm" horizontalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Condition</Table.Th>
            <Table.Th>Expected</Table.Th>
            <Table.Th>Actual value</Table.Th>
            <Table.Th>Result</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r, i) => (
            <Table.Tr key={i}>
              {r.group ? (
                <>
                  <Table.Td colSpan={3} style={{ paddingLeft: 8 + r.depth * 16 }}>
                    <Text size="sm" fw={600}>
                      {r.group.mode === 'all' ? 'All of:' : 'Any of:'}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Held passed={r.group.matched} />
                  </Table.Td>
                </>
              ) : (
                <>
                  <Table.Td style={{ paddingLeft: 8 + r.depth * 16 }}>
                    <Text size="sm" ff="monospace" span>
                      {r.condition!.attribute}
                    </Text>{' '}
                    {r.condition!.operator.replace(/_/g, ' ')}
                  </Table.Td>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>{show(r.condition!.expected)}</Table.Td>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>{show(r.condition!.actual)}</Table.Td>
                  <Table.Td>
                    <Held passed={r.condition!.passed} />
                  </Table.Td>
                </>
              )}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** The routing rules in order, each with whether it matched and its conditions. */
function RuleTrace({ trace }: { trace: unknown[] }) {
  return (
    <Stack gap="sm">
      <Text size="sm" fw={600}>
        Routing rules, in order (the first that matches wins)
      </Text>
      {trace.map((t, i) => {
        const rule = isObject(t) ? t : {};
        const name = str(rule.rule) ?? `Rule ${i + 1}`;
        return (
          <Stack key={i} gap={4}>
            <Group gap="xs">
              <Text size="sm" fw={500}>
                {typeof rule.index === 'number' ? `${rule.index + 1}. ` : ''}
                {name}
              </Text>
              <Badge size="sm" color={rule.matched ? 'teal' : 'gray'} variant="light">
                {rule.matched ? 'matched' : 'did not match'}
              </Badge>
            </Group>
            {str(rule.explanation) && (
              <Text size="xs" c="dimmed">
                {str(rule.explanation)}
              </Text>
            )}
            <ConditionTable trace={rule.conditions} label={`Conditions of rule ${name}`} />
          </Stack>
        );
      })}
    </Stack>
  );
}

interface Candidate {
  userId: string;
  name: string;
  online: boolean;
  load: number;
  capacity: number;
  eligible: boolean;
  why?: string;
}

/** The agents considered: online, load / capacity, eligible, and the one chosen highlighted. */
export function CandidatesTable({ candidates, chosenId }: { candidates: Candidate[]; chosenId: string | null }) {
  const phone = useMediaQuery('(max-width: 36em)');
  if (!candidates.length) return <Text size="sm">No agents to choose from (nobody is a member of the inbox or of the rule's target).</Text>;
  return (
    <Table.ScrollContainer minWidth={330}>
      <Table withTableBorder aria-label="Candidate agents" fz={phone ? 'xs' : 'sm'} horizontalSpacing={phone ? 4 : 'xs'}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Agent</Table.Th>
            <Table.Th>Online</Table.Th>
            <Table.Th>Load</Table.Th>
            <Table.Th>Capacity</Table.Th>
            <Table.Th>Eligible</Table.Th>
            <Table.Th>Chosen</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {candidates.map((c) => {
            const chosen = c.userId === chosenId;
            return (
              <Table.Tr key={c.userId} bg={chosen ? 'var(--mantine-color-teal-light)' : undefined} aria-current={chosen ? 'true' : undefined} data-chosen={chosen || undefined}>
                <Table.Td fw={chosen ? 700 : undefined}>{c.name}</Table.Td>
                <Table.Td>{c.online ? 'online' : 'offline'}</Table.Td>
                <Table.Td>{c.load}</Table.Td>
                <Table.Td>{c.capacity}</Table.Td>
                <Table.Td>
                  {c.eligible ? 'yes' : 'no'}
                  {c.why && !c.eligible ? ` (${c.why})` : ''}
                </Table.Td>
                <Table.Td>{chosen ? <Badge color="teal" size={phone ? 'xs' : 'sm'}>chosen</Badge> : ''}</Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function asCandidates(v: unknown): Candidate[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isObject).map((c) => ({
    userId: String(c.userId ?? ''),
    name: str(c.name) ?? String(c.userId ?? '?'),
    online: c.online === true,
    load: Number(c.load ?? 0),
    capacity: Number(c.capacity ?? 0),
    eligible: c.eligible === true,
    why: str(c.why) ?? undefined,
  }));
}

const DISTRIBUTION: Record<string, string> = { least_load: 'least load', round_robin: 'round-robin' };
const OFFLINE: Record<string, string> = { logout: 'logged out', session_lost: 'session lost (no heartbeat)', heartbeat_timeout: 'session lost (no heartbeat)' };

function describeTarget(target: unknown, names: Map<string, string>): string | null {
  if (!isObject(target)) return null;
  const type = str(target.type);
  if (type === 'ai_agent') return 'the AI agent';
  const id = str(target.id);
  return `${type ?? '?'} ${id ? (names.get(id) ?? id) : ''}`.trim();
}

/** The readable why of one decision; `names` maps user ids to names (from the candidates seen in the timeline). */
export function Why({ kind, details, names }: { kind: string; details: Details; names: Map<string, string> }) {
  const name = (id: unknown) => {
    const s = str(id);
    return s ? (names.get(s) ?? s) : null;
  };
  const parts: ReactNode[] = [];

  if (Array.isArray(details.trace) && kind !== 'automation') parts.push(<RuleTrace key="trace" trace={details.trace} />);
  if (details.target !== undefined && kind === 'routing') parts.push(<Facts key="target" rows={[['Target of the rule', describeTarget(details.target, names)]]} />);
  if (kind === 'routing' && details.assignmentMode === 'open') parts.push(<Text key="open" size="sm">The inbox is in open mode: nobody is assigned, any member may answer.</Text>);

  if (kind === 'assigned' || kind === 'queued') {
    parts.push(
      <Facts
        key="facts"
        rows={[
          ['Distribution', str(details.distribution) ? (DISTRIBUTION[str(details.distribution)!] ?? str(details.distribution)) : null],
          ['Capacity per agent', str(details.capacityPerAgent)],
          ['Assigned to', name(details.assigneeId)],
          ['Queue target', str(details.target)],
          ['Position in the queue', str(details.position)],
          ['VIP contact', details.vip === true ? 'yes (first in the queue)' : details.vip === false ? 'no' : null],
          ['Waited', typeof details.waitedSeconds === 'number' ? `${details.waitedSeconds} s` : null],
          ['Triggered by', str(details.trigger)],
        ]}
      />,
    );
    parts.push(<CandidatesTable key="candidates" candidates={asCandidates(details.candidates)} chosenId={str(details.assigneeId)} />);
  }

  if (kind === 'unassigned' || kind === 'kept') {
    const since = str(details.offlineSince);
    const grace = typeof details.graceSeconds === 'number' ? details.graceSeconds : null;
    const graceEnd = since && grace !== null ? new Date(new Date(since).getTime() + grace * 1000).toISOString() : null;
    parts.push(
      <Facts
        key="away"
        rows={[
          [kind === 'kept' ? 'Kept with' : 'Previous assignee', name(details.previousAssigneeId ?? details.assigneeId)],
          ['Went offline', since ? `${OFFLINE[str(details.offlineReason) ?? ''] ?? str(details.offlineReason) ?? 'offline'} at ${when(since)}` : null],
          ['Grace period', grace !== null ? `${grace} s (until ${when(graceEnd)})` : null],
          ['Moved back to new from', str(details.movedBackFrom)],
        ]}
      />,
    );
  }

  if (kind === 'out_of_office') {
    const period = str(details.periodKey);
    const closedSince = period?.startsWith('closed-since-') ? period.slice('closed-since-'.length) : null;
    const local = isObject(details.local) ? details.local : null;
    parts.push(
      <Facts
        key="ooo"
        rows={[
          ['Local time of the message', local ? `${show(local.weekday)} ${show(local.date)} ${show(local.time)} (${show(local.timezone)})` : null],
          ['Time zone', str(details.timezone)],
          ['Closed since', closedSince ? when(closedSince) : period === 'closed-no-open-hours' ? 'no open hours found' : null],
          ['Opens again', details.nextOpenAt === null ? 'no opening in the coming weeks' : details.nextOpenAt ? when(details.nextOpenAt) : null],
          ['Last agent reply', details.lastAgentReplyAt ? when(details.lastAgentReplyAt) : null],
          ['Quiet time', typeof details.quietSeconds === 'number' ? `${details.quietSeconds} s` : null],
        ]}
      />,
    );
  }

  if (kind === 'automation') {
    parts.push(
      <Facts
        key="auto"
        rows={[
          ['Rule version', str(details.ruleVersion)],
          ['Fired on', str(details.trigger)],
          ['Chain depth', str(details.depth)],
        ]}
      />,
    );
    if (details.trace) parts.push(<ConditionTable key="trace" trace={details.trace} label="Conditions of the rule" />);
    if (Array.isArray(details.actions)) parts.push(<Actions key="actions" actions={details.actions} />);
  }

  if (kind === 'automation_guard') {
    parts.push(
      <Facts
        key="guard"
        rows={[
          ['Limit', str(details.limit)?.replace(/_/g, ' ') ?? null],
          ['Chain depth', details.depth !== undefined ? `${show(details.depth)} (at most ${show(details.maxChainDepth)})` : null],
          ['Firings this hour', details.firings !== undefined ? `${show(details.firings)} (at most ${show(details.maxFiringsPerHour)})` : null],
          ['Rules', details.rules !== undefined ? show(details.rules) : null],
        ]}
      />,
    );
  }

  if (!parts.length) {
    // Any other kind (status, welcome, CSAT, AI agent, handover…): its facts as a list.
    parts.push(<Facts key="generic" rows={Object.entries(details).map(([k, v]) => [k, k.endsWith('At') ? when(v) : show(v)])} />);
  }
  return <Stack gap="sm">{parts}</Stack>;
}

/** The outcomes of a firing's actions. */
export function Actions({ actions }: { actions: unknown[] }) {
  if (!actions.length) return <Text size="sm">No actions.</Text>;
  return (
    <List size="sm" spacing={2}>
      {actions.filter(isObject).map((a, i) => (
        <List.Item key={i}>
          <Text span size="sm" fw={500}>
            {show(a.type).replace(/_/g, ' ')}
          </Text>
          : {show(a.outcome)}
          {a.detail !== undefined ? ` — ${show(a.detail)}` : ''}
        </List.Item>
      ))}
    </List>
  );
}
