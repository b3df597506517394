import '@mantine/charts/styles.css';
import { BarChart, LineChart } from '@mantine/charts';
import { Group, Paper, SegmentedControl, Select, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { CampaignResultsSection, ConversationMetricsSection } from './ConversationMetricsSection';

type CsatRow = Schemas['CsatReportRowView'];
type CsatGroup = 'inbox' | 'agent' | 'day' | 'week' | 'month';

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

interface Filters {
  from: string;
  to: string;
  inboxId?: string;
}

export default function ReportsPage() {
  const today = new Date();
  const [from, setFrom] = useState(isoDay(new Date(today.getTime() - 29 * 86_400_000)));
  const [to, setTo] = useState(isoDay(today));
  const [inboxId, setInboxId] = useState<string | null>(null);
  const inboxes = useQuery({ queryKey: ['inboxes'], queryFn: () => unwrap(api.GET('/api/v1/inboxes')) });
  const managed = (inboxes.data ?? []).filter((i) => i.myRole === 'manager' || i.myRole === 'admin');
  const filters: Filters = { from, to, ...(inboxId ? { inboxId } : {}) };

  return (
    <>
      <PageHeader title="Reports" description="Response times, customer satisfaction, conversation volume and campaign results of the inboxes you manage." />
      <Paper withBorder p="md" radius="md" mb="lg">
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <TextInput type="date" label="From" value={from} onChange={(e) => setFrom(e.currentTarget.value)} />
          <TextInput type="date" label="To (included)" value={to} onChange={(e) => setTo(e.currentTarget.value)} />
          <Select label="Inbox" placeholder="All inboxes" clearable data={managed.map((i) => ({ value: i.id, label: i.name }))} value={inboxId} onChange={setInboxId} />
        </SimpleGrid>
      </Paper>
      <Stack gap="xl">
        <ConversationMetricsSection filters={filters} />
        <CsatSection filters={filters} />
        <VolumeSection filters={filters} />
        <CampaignResultsSection filters={filters} />
      </Stack>
    </>
  );
}

function useCsat(filters: Filters, groupBy: CsatGroup) {
  return useQuery({
    queryKey: ['csat-report', filters, groupBy],
    queryFn: () => unwrap(api.GET('/api/v1/reports/csat', { params: { query: { ...filters, groupBy } } })),
    enabled: Boolean(filters.from && filters.to),
  });
}

/** Charts drawn at once: no animation frames on every refetch (and lighter on slow machines). */
const NO_ANIMATION = { isAnimationActive: false };
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const pct = (v: number | null) => (v === null ? '—' : `${Math.round(v * 100)} %`);
const num = (v: number | null) => (v === null ? '—' : v.toFixed(2));

function CsatSection({ filters }: { filters: Filters }) {
  const [period, setPeriod] = useState<'day' | 'week' | 'month'>('day');
  const byAgent = useCsat(filters, 'agent');
  const byInbox = useCsat(filters, 'inbox');
  const byPeriod = useCsat(filters, period);
  return (
    <section aria-labelledby="csat-title">
      <Title order={2} size="h3" id="csat-title" mb="xs">
        Customer satisfaction (CSAT)
      </Title>
      {byAgent.data && (
        <Text size="sm" c="dimmed" mb="md">
          {plural(byAgent.data.total.responses, 'response')} to {plural(byAgent.data.total.surveysSent, 'survey')} · average {num(byAgent.data.total.averageRating)} of 5 · {pct(byAgent.data.total.satisfiedShare)} satisfied
        </Text>
      )}
      <SimpleGrid cols={{ base: 1, xl: 2 }} spacing="lg">
        <CsatCard title="By agent" query={byAgent} groupLabel="Agent" />
        <CsatCard title="By inbox" query={byInbox} groupLabel="Inbox" />
      </SimpleGrid>
      <Paper withBorder p="md" radius="md" mt="lg">
        <Group justify="space-between" mb="sm" wrap="wrap">
          <Title order={3} size="h4">
            By period
          </Title>
          <SegmentedControl
            aria-label="CSAT period"
            size="xs"
            value={period}
            onChange={(v) => setPeriod(v as typeof period)}
            data={[
              { value: 'day', label: 'Day' },
              { value: 'week', label: 'Week' },
              { value: 'month', label: 'Month' },
            ]}
          />
        </Group>
        <CsatBody query={byPeriod} groupLabel="Period" line />
      </Paper>
    </section>
  );
}

type CsatQuery = ReturnType<typeof useCsat>;

function CsatCard({ title, query, groupLabel }: { title: string; query: CsatQuery; groupLabel: string }) {
  return (
    <Paper withBorder p="md" radius="md">
      <Title order={3} size="h4" mb="sm">
        {title}
      </Title>
      <CsatBody query={query} groupLabel={groupLabel} />
    </Paper>
  );
}

function CsatBody({ query, groupLabel, line }: { query: CsatQuery; groupLabel: string; line?: boolean }) {
  if (query.error) return <ErrorAlert error={query.error} />;
  if (!query.data) return <Loading label="Loading the CSAT report" />;
  const rows = query.data.rows;
  if (rows.length === 0) return <EmptyState title="No surveys in this range">Turn CSAT on in an inbox's settings: a survey goes out after each resolution.</EmptyState>;
  const data = rows.map((r) => ({ label: r.label, averageRating: r.averageRating ?? 0, responses: r.responses }));
  const series = [{ name: 'averageRating', label: 'Average rating', color: 'teal.6' }];
  const chartProps = { h: 220, data, dataKey: 'label', series, yAxisProps: { domain: [0, 5] }, 'aria-hidden': true } as const;
  return (
    <>
      {line ? <LineChart {...chartProps} curveType="monotone" lineProps={NO_ANIMATION} /> : <BarChart {...chartProps} maxBarWidth={56} barProps={NO_ANIMATION} />}
      <CsatTable rows={rows} total={query.data.total} groupLabel={groupLabel} />
    </>
  );
}

function CsatTable({ rows, total, groupLabel }: { rows: CsatRow[]; total: CsatRow; groupLabel: string }) {
  return (
    <Table.ScrollContainer minWidth={480} mt="sm">
      <Table aria-label={`CSAT by ${groupLabel.toLowerCase()}`} striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{groupLabel}</Table.Th>
            <Table.Th ta="right">Surveys</Table.Th>
            <Table.Th ta="right">Responses</Table.Th>
            <Table.Th ta="right">Average</Table.Th>
            <Table.Th ta="right">Satisfied</Table.Th>
            <Table.Th ta="right">Response rate</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {[...rows, total].map((r) => (
            <Table.Tr key={r.key ?? 'none'} fw={r.key === 'total' ? 700 : undefined}>
              <Table.Td>{r.label}</Table.Td>
              <Table.Td ta="right">{r.surveysSent}</Table.Td>
              <Table.Td ta="right">{r.responses}</Table.Td>
              <Table.Td ta="right">{num(r.averageRating)}</Table.Td>
              <Table.Td ta="right">{pct(r.satisfiedShare)}</Table.Td>
              <Table.Td ta="right">{pct(r.responseRate)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function VolumeSection({ filters }: { filters: Filters }) {
  const [groupBy, setGroupBy] = useState<'day' | 'week'>('day');
  const volume = useQuery({
    queryKey: ['volume-report', filters, groupBy],
    queryFn: () => unwrap(api.GET('/api/v1/reports/volume', { params: { query: { ...filters, groupBy } } })),
    enabled: Boolean(filters.from && filters.to),
  });
  const series = [
    { name: 'created', label: 'Created', color: 'blue.6' },
    { name: 'resolved', label: 'Resolved', color: 'teal.6' },
  ];
  return (
    <section aria-labelledby="volume-title">
      <Group justify="space-between" mb="xs" wrap="wrap">
        <Title order={2} size="h3" id="volume-title">
          Conversation volume
        </Title>
        <SegmentedControl
          aria-label="Volume period"
          size="xs"
          value={groupBy}
          onChange={(v) => setGroupBy(v as typeof groupBy)}
          data={[
            { value: 'day', label: 'Day' },
            { value: 'week', label: 'Week' },
          ]}
        />
      </Group>
      {volume.error ? (
        <ErrorAlert error={volume.error} />
      ) : !volume.data ? (
        <Loading label="Loading the volume report" />
      ) : volume.data.periods.length === 0 ? (
        <EmptyState title="No conversations in this range">Conversations appear here once customers write to your inboxes; widen the date range to see older ones.</EmptyState>
      ) : (
        <>
          <Text size="sm" c="dimmed" mb="md">
            {volume.data.total.created} created · {volume.data.total.resolved} resolved
          </Text>
          <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
            <Paper withBorder p="md" radius="md">
              <Title order={3} size="h4" mb="sm">
                By {groupBy}
              </Title>
              <BarChart h={220} data={volume.data.periods} dataKey="label" series={series} withLegend maxBarWidth={40} barProps={NO_ANIMATION} aria-hidden />
              <VolumeTable
                label={`Volume by ${groupBy}`}
                head={groupBy === 'day' ? 'Day' : 'Week'}
                rows={volume.data.periods.map((p) => ({ key: p.period, name: p.label, created: p.created, resolved: p.resolved }))}
                total={volume.data.total}
              />
            </Paper>
            <Paper withBorder p="md" radius="md">
              <Title order={3} size="h4" mb="sm">
                By inbox
              </Title>
              <BarChart
                h={220}
                data={volume.data.inboxes.map((i) => ({ ...i, label: i.name }))}
                dataKey="label"
                series={series}
                withLegend
                maxBarWidth={40}
                barProps={NO_ANIMATION}
                aria-hidden
              />
              <VolumeTable
                label="Volume by inbox"
                head="Inbox (channel)"
                rows={volume.data.inboxes.map((i) => ({ key: i.inboxId, name: `${i.name} (${i.channelType.toUpperCase()})`, created: i.created, resolved: i.resolved }))}
                total={volume.data.total}
              />
            </Paper>
          </SimpleGrid>
        </>
      )}
    </section>
  );
}

function VolumeTable({ label, head, rows, total }: { label: string; head: string; rows: { key: string; name: string; created: number; resolved: number }[]; total: { created: number; resolved: number } }) {
  return (
    <Table aria-label={label} striped mt="sm">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{head}</Table.Th>
          <Table.Th ta="right">Created</Table.Th>
          <Table.Th ta="right">Resolved</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((r) => (
          <Table.Tr key={r.key}>
            <Table.Td>{r.name}</Table.Td>
            <Table.Td ta="right">{r.created}</Table.Td>
            <Table.Td ta="right">{r.resolved}</Table.Td>
          </Table.Tr>
        ))}
        <Table.Tr fw={700}>
          <Table.Td>Total</Table.Td>
          <Table.Td ta="right">{total.created}</Table.Td>
          <Table.Td ta="right">{total.resolved}</Table.Td>
        </Table.Tr>
      </Table.Tbody>
    </Table>
  );
}
