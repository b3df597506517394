import { Anchor, Badge, Button, Group, Paper, Progress, SimpleGrid, Stack, Text, Title, Tooltip } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { temporalWorkflowUrl, useConsoleConfig } from '../../api/useConsoleConfig';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { useLiveEvent, useLiveStatus } from '../../live/LiveEvents';
import { formatDateTime, formatDuration, STATUS_COLOR, STATUS_LABEL, TYPE_LABEL } from './campaignUi';

type ProgressView = Schemas['CampaignProgressView'];
const ACTIVE = new Set(['scheduled', 'running', 'paused']);

export default function CampaignDetailPage() {
  const { id } = useParams() as { id: string };
  const queryClient = useQueryClient();
  const campaign = useQuery({ queryKey: ['campaign', id], queryFn: () => unwrap(api.GET('/api/v1/campaigns/{id}', { params: { path: { id } } })) });
  // Live: campaign.progress events (at most a few per second) refetch the counts; polling only
  // while the event stream is down and the run is under way.
  const live = useLiveStatus() === 'live';
  const progress = useQuery({
    queryKey: ['campaign-progress', id],
    queryFn: () => unwrap(api.GET('/api/v1/campaigns/{id}/progress', { params: { path: { id } } })),
    refetchInterval: (q) => (live || (q.state.data && !ACTIVE.has(q.state.data.status)) ? false : 2000),
  });
  useLiveEvent(['campaign.progress'], (e) => {
    if (e.data.campaignId !== id) return;
    void queryClient.invalidateQueries({ queryKey: ['campaign-progress', id] });
    if (e.data.status !== campaign.data?.status) void queryClient.invalidateQueries({ queryKey: ['campaign', id] });
  });
  const inboxes = useQuery({ queryKey: ['inboxes'], queryFn: () => unwrap(api.GET('/api/v1/inboxes')) });

  const control = useMutation({
    mutationFn: (action: 'start' | 'pause' | 'resume' | 'cancel') => {
      const params = { params: { path: { id } } };
      if (action === 'start') return unwrap(api.POST('/api/v1/campaigns/{id}/start', params));
      if (action === 'pause') return unwrap(api.POST('/api/v1/campaigns/{id}/pause', params));
      if (action === 'resume') return unwrap(api.POST('/api/v1/campaigns/{id}/resume', params));
      return unwrap(api.POST('/api/v1/campaigns/{id}/cancel', params));
    },
    onSuccess: (c) => {
      queryClient.setQueryData(['campaign', id], c);
      void queryClient.invalidateQueries({ queryKey: ['campaign-progress', id] });
      void queryClient.invalidateQueries({ queryKey: ['campaigns'] });
    },
  });

  if (campaign.isPending) return <Loading />;
  if (campaign.error) return <ErrorAlert error={campaign.error} />;
  const c = campaign.data;
  // The progress answer carries the freshest status (the run changes it by itself).
  const status = progress.data?.status ?? c.status;
  const inbox = inboxes.data?.find((i) => i.id === c.inboxId);

  const actions = (
    <>
      {status === 'draft' && (
        <>
          <Button variant="default" component={Link} to={`/campaigns/${id}/edit`}>
            Edit
          </Button>
          <Button onClick={() => control.mutate('start')} loading={control.isPending && control.variables === 'start'}>
            {c.scheduledAt ? 'Schedule' : 'Start'}
          </Button>
        </>
      )}
      {status === 'running' && (
        <Button color="yellow" onClick={() => control.mutate('pause')} loading={control.isPending && control.variables === 'pause'}>
          Pause
        </Button>
      )}
      {status === 'paused' && (
        <Button onClick={() => control.mutate('resume')} loading={control.isPending && control.variables === 'resume'}>
          Resume
        </Button>
      )}
      {ACTIVE.has(status) && (
        <ConfirmButton
          variant="light"
          title={`Cancel ${c.name}?`}
          message="Recipients not sent yet will never receive it. Messages already sent stay sent. This cannot be undone."
          confirmLabel="Cancel campaign"
          onConfirm={() => control.mutateAsync('cancel')}
        >
          Cancel campaign
        </ConfirmButton>
      )}
    </>
  );

  return (
    <>
      <Anchor component={Link} to="/campaigns" size="sm">
        ← Campaigns
      </Anchor>
      <PageHeader
        title={c.name}
        description={
          <>
            <Badge component="span" color={STATUS_COLOR[status]} variant="light" mr="xs" aria-label={`Status: ${STATUS_LABEL[status]}`}>
              {STATUS_LABEL[status]}
            </Badge>
            {TYPE_LABEL[c.type]} · {inbox ? `${inbox.name} (${inbox.channelType.toUpperCase()})` : ''}
          </>
        }
        actions={actions}
      />
      <ErrorAlert error={control.error} />
      {c.statusReason && (
        <Text c="dimmed" size="sm" mb="md">
          {c.statusReason}
        </Text>
      )}
      <Stack gap="lg">
        <ProgressPanel progress={progress.data} error={progress.error} />
        <Details campaign={c} />
      </Stack>
    </>
  );
}

const SECTIONS: { key: 'delivered' | 'sentOnly' | 'failed' | 'skipped' | 'optedOut'; label: string; color: string }[] = [
  { key: 'delivered', label: 'Delivered', color: 'teal' },
  { key: 'sentOnly', label: 'Sent, no receipt yet', color: 'blue' },
  { key: 'failed', label: 'Failed', color: 'red' },
  { key: 'skipped', label: 'Skipped', color: 'gray' },
  { key: 'optedOut', label: 'Opted out', color: 'orange' },
];

function ProgressPanel({ progress, error }: { progress?: ProgressView; error: unknown }) {
  if (error) return <ErrorAlert error={error} />;
  if (!progress) return <Loading label="Loading progress" />;
  const { total } = progress;
  const processed = total - progress.remaining;
  const percent = total > 0 ? Math.floor((processed / total) * 100) : 0;
  const counts = { ...progress, sentOnly: Math.max(0, progress.sent - progress.delivered) };
  const share = (n: number) => (total > 0 ? (n / total) * 100 : 0);
  return (
    <Paper withBorder p="md" radius="md">
      <Stack gap="sm">
        <Group justify="space-between" wrap="wrap">
          <Title order={2} size="h4">
            Progress
          </Title>
          <Text fw={700} data-testid="campaign-percent" aria-label="Percent done">
            {percent} %
          </Text>
        </Group>
        <Progress.Root size={24} aria-label={`Progress: ${processed} of ${total} recipients`}>
          {SECTIONS.map((s) =>
            counts[s.key] > 0 ? (
              <Tooltip key={s.key} label={`${s.label}: ${counts[s.key]}`}>
                <Progress.Section value={share(counts[s.key])} color={s.color} aria-label={s.label} />
              </Tooltip>
            ) : null,
          )}
        </Progress.Root>
        <Text size="sm" data-testid="campaign-processed">
          {processed.toLocaleString()} of {total.toLocaleString()} recipients processed
          {progress.sending > 0 ? ` · ${progress.sending} sending` : ''}
          {progress.deferred > 0 ? ` · ${progress.deferred} waiting for the end of quiet hours` : ''}
        </Text>
        <SimpleGrid cols={{ base: 2, sm: 3, md: 6 }} spacing="sm">
          <Figure label="Sent" value={progress.sent} testId="count-sent" />
          <Figure label="Delivered" value={progress.delivered} color="teal" testId="count-delivered" />
          <Figure label="Failed" value={progress.failed + progress.undelivered} color="red" testId="count-failed" />
          <Figure label="Skipped" value={progress.skipped} testId="count-skipped" />
          <Figure label="Opted out" value={progress.optedOut} color="orange" testId="count-opted-out" />
          <Figure label="Remaining" value={progress.remaining} testId="count-remaining" />
        </SimpleGrid>
        <Group gap="xl">
          <Text size="sm">
            Rate: <b>{progress.rate.toLocaleString(undefined, { maximumFractionDigits: 1 })}</b> / s
          </Text>
          <Text size="sm">
            ETA: <b>{progress.etaSeconds === null ? '—' : progress.etaSeconds === 0 ? 'done' : formatDuration(progress.etaSeconds)}</b>
          </Text>
          {progress.nextDeferredSendAt && <Text size="sm">Next deferred send: {formatDateTime(progress.nextDeferredSendAt)}</Text>}
        </Group>
      </Stack>
    </Paper>
  );
}

function Figure({ label, value, color, testId }: { label: string; value: number; color?: string; testId: string }) {
  return (
    <Paper withBorder p="xs" radius="sm">
      <Text size="xs" c="dimmed" id={`${testId}-label`}>
        {label}
      </Text>
      <Text fw={700} size="lg" c={color} aria-labelledby={`${testId}-label`} data-testid={testId}>
        {value.toLocaleString()}
      </Text>
    </Paper>
  );
}

function Details({ campaign: c }: { campaign: Schemas['CampaignView'] }) {
  const cfg = useConsoleConfig();
  const audience = [
    c.audience.tags?.length ? `tags: ${c.audience.tags.join(', ')}` : null,
    c.audience.attributes && Object.keys(c.audience.attributes).length
      ? Object.entries(c.audience.attributes)
          .map(([k, v]) => `${k} = ${v}`)
          .join(', ')
      : null,
    c.audience.contactIds?.length ? `${c.audience.contactIds.length} chosen contacts` : null,
  ].filter(Boolean);
  const temporal = temporalWorkflowUrl(cfg.data, c.workflowId);
  return (
    <Paper withBorder p="md" radius="md">
      <Title order={2} size="h4" mb="sm">
        Details
      </Title>
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
        <Text size="sm">Audience: {audience.length ? audience.join('; ') : 'every contact'} ({c.audienceCount.toLocaleString()})</Text>
        <Text size="sm">Rate limit: {c.rateLimitPerSecond ? `${c.rateLimitPerSecond} / s` : 'none'}</Text>
        <Text size="sm">Schedule: {c.scheduledAt ? formatDateTime(c.scheduledAt) : 'when started'}</Text>
        <Text size="sm">Quiet hours: {c.quietHours ? `${c.quietHours.start}–${c.quietHours.end} local time` : 'none'}</Text>
        <Text size="sm">Started: {formatDateTime(c.startedAt)}</Text>
        <Text size="sm">Finished: {formatDateTime(c.finishedAt)}</Text>
      </SimpleGrid>
      <Text size="sm" mt="sm" fw={500}>
        Template
      </Text>
      <Text size="sm" style={{ whiteSpace: 'pre-wrap' }} ff="monospace">
        {c.template}
      </Text>
      {c.media.length > 0 && (
        <>
          <Text size="sm" mt="sm" fw={500}>
            Media (MMS)
          </Text>
          <Stack gap={2} aria-label="Media (MMS)">
            {c.media.map((m) => (
              <Text key={m.url} size="sm">
                <Anchor href={m.url} target="_blank" rel="noreferrer" size="sm">
                  {m.url}
                </Anchor>{' '}
                <Text span c="dimmed" size="xs">
                  {m.contentType ?? 'unknown type'}, {Math.ceil(m.size / 1024).toLocaleString()} KB
                </Text>
              </Text>
            ))}
          </Stack>
        </>
      )}
      {temporal && (
        <Anchor href={temporal} target="_blank" rel="noreferrer" size="sm" mt="sm" display="inline-block">
          Campaign run in the Temporal UI
        </Anchor>
      )}
    </Paper>
  );
}
