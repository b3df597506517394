import { Badge, Table } from '@mantine/core';
import { show } from './model';

interface Detail {
  attribute: string;
  operator: string;
  expected: unknown;
  actual: unknown;
  passed: boolean;
}
type Trace = { all: Trace[]; matched: boolean } | { any: Trace[]; matched: boolean } | Detail;

interface Row {
  label: string;
  depth: number;
  group?: { mode: string; matched: boolean };
  detail?: Detail;
}

function flatten(t: Trace, label: string, depth: number, out: Row[]) {
  if ('all' in t || 'any' in t) {
    const mode = 'all' in t ? 'all' : 'any';
    out.push({ label: label || 'Conditions', depth, group: { mode, matched: t.matched } });
    const entries = 'all' in t ? t.all : t.any;
    entries.forEach((e, i) => flatten(e, label ? `${label}.${i + 1}` : `${i + 1}`, depth + 1, out));
  } else out.push({ label, depth, detail: t });
}

const held = (ok: boolean) => (
  <Badge color={ok ? 'green' : 'red'} variant="light">
    {ok ? 'held' : 'did not hold'}
  </Badge>
);

/** A condition trace (the API's tree: groups with matched, conditions with expected, actual, passed) as a table. */
export function TraceTable({ trace, caption = 'Condition trace' }: { trace: unknown; caption?: string }) {
  if (!trace || typeof trace !== 'object') return null;
  const rows: Row[] = [];
  flatten(trace as Trace, '', 0, rows);
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table striped withTableBorder aria-label={caption} fz="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>#</Table.Th>
            <Table.Th>Attribute</Table.Th>
            <Table.Th>Operator</Table.Th>
            <Table.Th>Expected</Table.Th>
            <Table.Th>Actual value</Table.Th>
            <Table.Th>Result</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r) => (
            <Table.Tr key={r.label}>
              <Table.Td style={{ paddingLeft: 8 + r.depth * 14 }}>{r.label}</Table.Td>
              {r.group ? (
                <>
                  <Table.Td colSpan={4} fw={600}>
                    {r.group.mode === 'all' ? 'all of (AND)' : 'any of (OR)'}
                  </Table.Td>
                  <Table.Td>{held(r.group.matched)}</Table.Td>
                </>
              ) : (
                <>
                  <Table.Td ff="monospace">{r.detail!.attribute}</Table.Td>
                  <Table.Td>{r.detail!.operator}</Table.Td>
                  <Table.Td ff="monospace">{show(r.detail!.expected)}</Table.Td>
                  <Table.Td ff="monospace">{show(r.detail!.actual)}</Table.Td>
                  <Table.Td>{held(r.detail!.passed)}</Table.Td>
                </>
              )}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
