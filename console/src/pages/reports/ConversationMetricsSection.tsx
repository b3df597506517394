import { BarChart, LineChart } from '@mantine/charts';
import { Accordion, Button, Group, List, Paper, SegmentedControl, Select, SimpleGrid, Switch, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';

type Row = Schemas['ConversationReportRowView'];
type Report = Schemas['ConversationReportView'];
type Clock = 'calendar' | 'business';
type Period = 'day' | 'week' | 'month';
export interface ReportFilters {
  from: string;
  to: string;
  inboxId?: string;
}

const NO_ANIMATION = { isAnimationActive: false };
const METRICS = [
  { key: 'firstResponse', label: 'First response' },
  { key: 'reply', label: 'Reply time' },
  { key: 'resolution', label: 'Resolution' },
] as const;

/** 95 s -> "1m 35s", 9000 -> "2h 30m", 151200 -> "1d 18h"; null -> "—". */
export function duration(seconds: number | null): string {
  if (seconds === null) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

async function downloadCsv(query: Record<string, string>): Promise<void> {
  const blob = await unwrap(api.GET('/api/v1/reports/conversations.csv', { params: { query }, parseAs: 'blob' }));
  const url = URL.createObjectURL(blob as unknown as Blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = 'conversation-report.csv';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Response and resolution times from the event log (recomputed by the API at every call), with
 * filters agent, team, period and "business hours only"; a chart per grouping with its table.
 */
export function ConversationMetricsSection({ filters }: { filters: ReportFilters }) {
  const [groupBy, setGroupBy] = useState<Period>('day');
  const [clock, setClock] = useState<Clock>('calendar');
  const [agentId, setAgentId] = useState<string | null>(null);
  const [teamId, setTeamId] = useState<string | null>(null);
  const query = { ...filters, groupBy, ...(agentId ? { agentId } : {}), ...(teamId ? { teamId } : {}) };
  const report = useQuery({
    queryKey: ['conversation-report', query],
    queryFn: () => unwrap(api.GET('/api/v1/reports/conversations', { params: { query } })),
    enabled: Boolean(filters.from && filters.to),
  });
  // The agent and team choices: who has figures in the range (managers may not list the account's users).
  const everyone = useQuery({
    queryKey: ['conversation-report', { ...filters, groupBy }],
    queryFn: () => unwrap(api.GET('/api/v1/reports/conversations', { params: { query: { ...filters, groupBy } } })),
    enabled: Boolean(filters.from && filters.to),
  });
  const agentOptions = (everyone.data?.agents ?? []).filter((a) => a.key !== null).map((a) => ({ value: a.key!, label: a.label }));
  const teamOptions = (everyone.data?.teams ?? []).map((t) => ({ value: t.key!, label: t.label }));
  const [downloading, setDownloading] = useState(false);
  const [downloadError, setDownloadError] = useState<unknown>(null);

  return (
    <section aria-labelledby="metrics-title">
      <Group justify="space-between" mb="xs" wrap="wrap">
        <Title order={2} size="h3" id="metrics-title">
          Response and resolution times
        </Title>
        <Button
          variant="default"
          size="xs"
          loading={downloading}
          onClick={async () => {
            setDownloading(true);
            setDownloadError(null);
            try {
              await downloadCsv(query as Record<string, string>);
            } catch (err) {
              setDownloadError(err);
            } finally {
              setDownloading(false);
            }
          }}
        >
          Download CSV
        </Button>
      </Group>
      {downloadError ? <ErrorAlert error={downloadError} /> : null}
      <Paper withBorder p="md" radius="md" mb="md">
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} verticalSpacing="sm">
          <Select label="Agent" placeholder="All agents" clearable searchable data={agentOptions} value={agentId} onChange={setAgentId} />
          <Select label="Team" placeholder="All teams" clearable data={teamOptions} value={teamId} onChange={setTeamId} />
          <div>
            <Text size="sm" fw={500} mb={4} id="metrics-period-label">
              Period
            </Text>
            <SegmentedControl
              aria-labelledby="metrics-period-label"
              size="xs"
              value={groupBy}
              onChange={(v) => setGroupBy(v as Period)}
              data={[
                { value: 'day', label: 'Day' },
                { value: 'week', label: 'Week' },
                { value: 'month', label: 'Month' },
              ]}
            />
          </div>
          <Switch mt={{ base: 0, lg: 28 }} label="Business hours only" checked={clock === 'business'} onChange={(e) => setClock(e.currentTarget.checked ? 'business' : 'calendar')} />
        </SimpleGrid>
      </Paper>
      {report.error ? (
        <ErrorAlert error={report.error} />
      ) : !report.data ? (
        <Loading label="Loading response times" />
      ) : report.data.total.resolved === 0 && report.data.total.firstResponse.calendar.count === 0 && report.data.total.reply.calendar.count === 0 && !report.data.total.created ? (
        <EmptyState title="No conversations in this range">Figures appear once customers write and agents reply; widen the date range to see older ones.</EmptyState>
      ) : (
        <MetricsBody report={report.data} clock={clock} />
      )}
    </section>
  );
}

function MetricsBody({ report, clock }: { report: Report; clock: Clock }) {
  const t = report.total;
  const hours = clock === 'business' ? 'in business hours' : 'calendar time';
  return (
    <>
      <SimpleGrid cols={{ base: 1, sm: 3 }} mb="md">
        {METRICS.map((m) => (
          <Paper key={m.key} withBorder p="md" radius="md">
            <Text size="sm" c="dimmed">
              {m.label} ({hours})
            </Text>
            <Text size="xl" fw={700} aria-label={`${m.label} median`}>
              {duration(t[m.key][clock].median)}
            </Text>
            <Text size="xs" c="dimmed">
              median · average {duration(t[m.key][clock].average)} · p90 {duration(t[m.key][clock].p90)} · {t[m.key][clock].count} {t[m.key][clock].count === 1 ? 'value' : 'values'}
            </Text>
          </Paper>
        ))}
      </SimpleGrid>
      <Text size="sm" c="dimmed" mb="md">
        {t.created === null ? '' : `${t.created} created · `}
        {t.resolved} resolved · periods in {report.timezone}
      </Text>
      <Paper withBorder p="md" radius="md" mb="lg">
        <Title order={3} size="h4" mb="sm">
          By {report.groupBy}
        </Title>
        <LineChart
          h={220}
          data={report.periods.map((p) => ({
            label: p.label,
            firstResponse: inHours(p.firstResponse[clock].median),
            reply: inHours(p.reply[clock].median),
            resolution: inHours(p.resolution[clock].median),
          }))}
          dataKey="label"
          unit=" h"
          series={[
            { name: 'firstResponse', label: 'First response (median, h)', color: 'blue.6' },
            { name: 'reply', label: 'Reply (median, h)', color: 'grape.6' },
            { name: 'resolution', label: 'Resolution (median, h)', color: 'teal.6' },
          ]}
          withLegend
          connectNulls
          curveType="monotone"
          lineProps={NO_ANIMATION}
          aria-hidden
        />
        <MetricsTable label={`Response times by ${report.groupBy}`} head={report.groupBy === 'day' ? 'Day' : report.groupBy === 'week' ? 'Week' : 'Month'} rows={report.periods} total={t} clock={clock} />
      </Paper>
      <SimpleGrid cols={{ base: 1, xl: 2 }} spacing="lg">
        <GroupCard title="By inbox" head="Inbox" rows={report.inboxes} total={t} clock={clock} />
        <GroupCard title="By agent" head="Agent" rows={report.agents} total={t} clock={clock} />
        <GroupCard title="By team" head="Team" rows={report.teams} total={t} clock={clock} />
      </SimpleGrid>
      <Accordion variant="contained" mt="lg">
        <Accordion.Item value="definitions">
          <Accordion.Control>What these figures mean</Accordion.Control>
          <Accordion.Panel>
            <List size="sm" spacing="xs" aria-label="Definitions">
              {Object.entries(report.definitions).map(([k, v]) => (
                <List.Item key={k}>
                  <Text span fw={600} size="sm">
                    {k}
                  </Text>
                  : {v}
                </List.Item>
              ))}
            </List>
          </Accordion.Panel>
        </Accordion.Item>
      </Accordion>
    </>
  );
}

/** Seconds -> hours (0.01 h) for the charts. */
const inHours = (seconds: number | null) => (seconds === null ? null : Math.round(seconds / 36) / 100);

function GroupCard({ title, head, rows, total, clock }: { title: string; head: string; rows: Row[]; total: Row; clock: Clock }) {
  return (
    <Paper withBorder p="md" radius="md">
      <Title order={3} size="h4" mb="sm">
        {title}
      </Title>
      {rows.length === 0 ? (
        <Text size="sm" c="dimmed">
          Nothing in this range.
        </Text>
      ) : (
        <>
          <BarChart
            h={200}
            data={rows.map((r) => ({ label: r.label, firstResponse: inHours(r.firstResponse[clock].median), reply: inHours(r.reply[clock].median) }))}
            dataKey="label"
            unit=" h"
            series={[
              { name: 'firstResponse', label: 'First response (median, h)', color: 'blue.6' },
              { name: 'reply', label: 'Reply (median, h)', color: 'grape.6' },
            ]}
            withLegend
            maxBarWidth={40}
            barProps={NO_ANIMATION}
            aria-hidden
          />
          <MetricsTable label={`Response times ${title.toLowerCase()}`} head={head} rows={rows} total={total} clock={clock} />
        </>
      )}
    </Paper>
  );
}

function MetricsTable({ label, head, rows, total, clock }: { label: string; head: string; rows: Row[]; total: Row; clock: Clock }) {
  return (
    <Table.ScrollContainer minWidth={720} mt="sm">
      <Table aria-label={label} striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{head}</Table.Th>
            <Table.Th ta="right">Created</Table.Th>
            <Table.Th ta="right">Resolved</Table.Th>
            {METRICS.map((m) => (
              <Table.Th key={m.key} ta="right">
                {m.label} (avg / median / p90)
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {[...rows, total].map((r) => (
            <Table.Tr key={r.key ?? 'none'} fw={r.key === 'total' ? 700 : undefined}>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{r.label}</Table.Td>
              <Table.Td ta="right">{r.created ?? '—'}</Table.Td>
              <Table.Td ta="right">{r.resolved}</Table.Td>
              {METRICS.map((m) => (
                <Table.Td key={m.key} ta="right" style={{ whiteSpace: 'nowrap' }}>
                  {duration(r[m.key][clock].average)} / {duration(r[m.key][clock].median)} / {duration(r[m.key][clock].p90)}
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** Campaign results: sent, delivered, failed, opted out and replies within 7 days, per campaign. */
export function CampaignResultsSection({ filters }: { filters: ReportFilters }) {
  const results = useQuery({
    queryKey: ['campaign-results', filters],
    queryFn: () => unwrap(api.GET('/api/v1/reports/campaigns', { params: { query: filters } })),
    enabled: Boolean(filters.from && filters.to),
  });
  const series = [
    { name: 'delivered', label: 'Delivered', color: 'teal.6' },
    { name: 'failed', label: 'Failed', color: 'red.6' },
    { name: 'optedOut', label: 'Opted out', color: 'gray.6' },
    { name: 'replied', label: 'Replied (7 days)', color: 'blue.6' },
  ];
  return (
    <section aria-labelledby="campaign-results-title">
      <Title order={2} size="h3" id="campaign-results-title" mb="xs">
        Campaign results
      </Title>
      {results.error ? (
        <ErrorAlert error={results.error} />
      ) : !results.data ? (
        <Loading label="Loading campaign results" />
      ) : results.data.campaigns.length === 0 ? (
        <EmptyState title="No campaigns started in this range">Campaigns you start from an SMS inbox are counted here.</EmptyState>
      ) : (
        <Paper withBorder p="md" radius="md">
          <BarChart h={200} data={results.data.campaigns.map((c) => ({ ...c, label: c.name }))} dataKey="label" series={series} withLegend maxBarWidth={40} barProps={NO_ANIMATION} aria-hidden />
          <Table.ScrollContainer minWidth={640} mt="sm">
            <Table aria-label="Campaign results" striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Campaign</Table.Th>
                  <Table.Th>Inbox</Table.Th>
                  <Table.Th ta="right">Sent</Table.Th>
                  <Table.Th ta="right">Delivered</Table.Th>
                  <Table.Th ta="right">Failed</Table.Th>
                  <Table.Th ta="right">Opted out</Table.Th>
                  <Table.Th ta="right">Replied (7 days)</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {results.data.campaigns.map((c) => (
                  <Table.Tr key={c.campaignId}>
                    <Table.Td>{c.name}</Table.Td>
                    <Table.Td>{c.inboxName}</Table.Td>
                    <Table.Td ta="right">{c.sent}</Table.Td>
                    <Table.Td ta="right">{c.delivered}</Table.Td>
                    <Table.Td ta="right">{c.failed}</Table.Td>
                    <Table.Td ta="right">{c.optedOut}</Table.Td>
                    <Table.Td ta="right">{c.replied}</Table.Td>
                  </Table.Tr>
                ))}
                <Table.Tr fw={700}>
                  <Table.Td>Total</Table.Td>
                  <Table.Td />
                  <Table.Td ta="right">{results.data.total.sent}</Table.Td>
                  <Table.Td ta="right">{results.data.total.delivered}</Table.Td>
                  <Table.Td ta="right">{results.data.total.failed}</Table.Td>
                  <Table.Td ta="right">{results.data.total.optedOut}</Table.Td>
                  <Table.Td ta="right">{results.data.total.replied}</Table.Td>
                </Table.Tr>
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Paper>
      )}
    </section>
  );
}
