/**
 * Ops: a conversation's timeline (GET /api/v1/conversations/:id/timeline, messages and decisions
 * merged, paged by "Load more"), every decision expandable to its why; the automation rules'
 * evaluations (GET /conversations/:id/automation, managers and administrators); a link to the
 * conversation's workflow in the Temporal UI.
 */
import { Anchor, Badge, Button, Code, Collapse, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError, api, unwrap, type Schemas } from '../../api/client';
import { temporalWorkflowUrl, useConsoleConfig } from '../../api/useConsoleConfig';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { useLiveEvent } from '../../live/LiveEvents';
import { AutomationSection } from './AutomationSection';
import { Why, isObject, when } from './why';

type Item = Schemas['TimelineItemView'];

const PAGE = 100;

const KIND_LABEL: Record<string, string> = {
  inbound: 'Inbound',
  outbound: 'Outbound',
  internal: 'Note',
  routing: 'Routing',
  assigned: 'Assigned',
  queued: 'Queued',
  unassigned: 'Unassigned',
  kept: 'Kept',
  ai_agent: 'AI agent',
  handover: 'Handover',
  out_of_office: 'Out of office',
  welcome: 'Welcome',
  csat_scheduled: 'CSAT scheduled',
  csat_sent: 'CSAT sent',
  csat_cancelled: 'CSAT cancelled',
  csat_rated: 'CSAT rated',
  status: 'Status',
  automation: 'Automation',
  automation_guard: 'Automation guard',
};

const KIND_COLOR: Record<string, string> = {
  routing: 'indigo',
  assigned: 'teal',
  queued: 'yellow',
  unassigned: 'orange',
  kept: 'gray',
  out_of_office: 'grape',
  automation: 'cyan',
  automation_guard: 'red',
  status: 'blue',
};

/** The 404 / 403 states: the API's answer in words, never a crash. */
function Refused({ error }: { error: unknown }) {
  if (error instanceof ApiError && error.status === 404)
    return (
      <EmptyState title="Conversation not found" action={<Anchor component={Link} to="/conversations">Back to conversations</Anchor>}>
        There is no such conversation in your account. Check the link, or open the conversation from the conversation list.
      </EmptyState>
    );
  if (error instanceof ApiError && error.status === 403)
    return (
      <Paper withBorder radius="md" p="xl" role="alert">
        <Stack gap="xs" align="center" ta="center">
          <Text c="red" fw={700} size="sm">
            403
          </Text>
          <Title order={2} size="h3">
            You don&apos;t have access
          </Title>
          <Text c="dimmed" size="sm" maw={480}>
            {error.message.charAt(0).toUpperCase() + error.message.slice(1)}. Ask a manager of the inbox or an administrator of your account if you need it.
          </Text>
        </Stack>
      </Paper>
    );
  return <ErrorAlert error={error} />;
}

function DecisionItem({ item, names }: { item: Item; names: Map<string, string> }) {
  const [open, setOpen] = useState(false);
  const [raw, setRaw] = useState(false);
  const panel = useId();
  const details = isObject(item.details) ? item.details : null;
  const label = KIND_LABEL[item.kind] ?? item.kind;
  return (
    <Paper withBorder radius="md" p="sm" component="li" aria-label={`${label} decision`} data-kind={item.kind}>
      <Group justify="space-between" align="flex-start" wrap="nowrap" gap="sm">
        <Stack gap={4} style={{ minWidth: 0 }}>
          <Group gap="xs">
            <Badge size="sm" color={KIND_COLOR[item.kind] ?? 'gray'}>
              {label}
            </Badge>
            <Text size="xs" c="dimmed">
              <time dateTime={item.at}>{when(item.at)}</time>
            </Text>
          </Group>
          <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
            {item.summary}
          </Text>
        </Stack>
        {details && (
          <Button size="compact-sm" variant="light" aria-expanded={open} aria-controls={panel} onClick={() => setOpen((o) => !o)} style={{ flexShrink: 0 }}>
            {open ? 'Hide why' : 'Why?'}
          </Button>
        )}
      </Group>
      {details && (
        <Collapse expanded={open}>
          <Stack id={panel} gap="sm" mt="sm" role="region" aria-label={`Why: ${label}`}>
            {open && <Why kind={item.kind} details={details} names={names} />}
            <Group>
              <Button size="compact-xs" variant="subtle" color="gray" aria-expanded={raw} onClick={() => setRaw((r) => !r)}>
                {raw ? 'Hide raw details' : 'Raw details'}
              </Button>
            </Group>
            {raw && (
              <Code block fz="xs" aria-label="Raw details" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
                {JSON.stringify(details, null, 2)}
              </Code>
            )}
          </Stack>
        </Collapse>
      )}
    </Paper>
  );
}

function MessageItem({ item }: { item: Item }) {
  const label = KIND_LABEL[item.kind] ?? item.kind;
  const failed = item.deliveryStatus === 'failed';
  // The summary is "<direction> <senderType>: <text>": the badges say the first part.
  const text = item.summary.replace(/^\S+ \S+: /, '');
  return (
    <Paper radius="md" p="sm" bg={item.direction === 'inbound' ? 'var(--mantine-color-gray-light)' : 'var(--mantine-color-blue-light)'} component="li" aria-label={`${label} message`}>
      <Group gap="xs" mb={4}>
        <Badge size="sm" variant="outline" color={item.direction === 'inbound' ? 'gray' : 'blue'}>
          {label} · {item.senderType}
        </Badge>
        {item.deliveryStatus && (
          <Badge size="sm" variant="light" color={failed ? 'red' : 'gray'}>
            {item.deliveryStatus}
          </Badge>
        )}
        <Text size="xs" c="dimmed">
          <time dateTime={item.at}>{when(item.at)}</time>
        </Text>
      </Group>
      <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
        {text}
      </Text>
      {failed && isObject(item.details) && (
        <Text size="xs" c="red" mt={4}>
          {String(item.details.error ?? '')}
        </Text>
      )}
    </Paper>
  );
}

export default function TimelinePage() {
  const { conversationId = '' } = useParams();
  const config = useConsoleConfig();
  const timeline = useInfiniteQuery({
    queryKey: ['timeline', conversationId],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => unwrap(api.GET('/api/v1/conversations/{id}/timeline', { params: { path: { id: conversationId }, query: { after: pageParam, limit: PAGE } } })),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    retry: (n, e) => !(e instanceof ApiError && e.status < 500) && n < 2,
  });
  const conversation = useQuery({
    queryKey: ['conversation', conversationId],
    queryFn: () => unwrap(api.GET('/api/v1/conversations/{id}', { params: { path: { id: conversationId } } })),
    enabled: timeline.isSuccess,
  });

  // Live: a message or a change of this conversation brings its new entries (and decisions) in.
  const queryClient = useQueryClient();
  useLiveEvent(['message.created', 'message.updated', 'conversation.updated', 'conversation.assigned', 'conversation.unassigned'], (e) => {
    if (e.data.conversationId !== conversationId) return;
    for (const key of [['timeline', conversationId], ['conversation', conversationId], ['conversation-automation', conversationId]]) void queryClient.invalidateQueries({ queryKey: key });
  });

  const items = useMemo(() => timeline.data?.pages.flatMap((p) => p.items) ?? [], [timeline.data]);
  // Agent names from the candidates the decisions list (ids elsewhere in details are shown by name).
  const names = useMemo(() => {
    const m = new Map<string, string>();
    for (const i of items)
      if (isObject(i.details) && Array.isArray(i.details.candidates))
        for (const c of i.details.candidates) if (isObject(c) && typeof c.userId === 'string' && typeof c.name === 'string') m.set(c.userId, c.name);
    return m;
  }, [items]);

  const temporal = temporalWorkflowUrl(config.data, 'conversation:' + conversationId);
  const header = (
    <PageHeader
      title="Timeline"
      description={
        conversation.data
          ? `${conversation.data.contactName ?? 'Unknown contact'} · ${conversation.data.channelType} · ${conversation.data.status}. Every message and decision, with its why.`
          : 'Every message and decision of this conversation, with its why.'
      }
      actions={
        timeline.isSuccess &&
        temporal && (
          <Button component="a" href={temporal} target="_blank" rel="noreferrer" variant="default">
            Open workflow in Temporal UI
          </Button>
        )
      }
    />
  );

  if (timeline.isPending) return <Loading label="Loading the timeline" />;
  if (timeline.isError && !timeline.data)
    return (
      <>
        <PageHeader title="Timeline" />
        <Refused error={timeline.error} />
      </>
    );

  return (
    <>
      {header}
      <Stack gap="xl">
        <section aria-labelledby="timeline-events">
          <Title order={2} size="h4" id="timeline-events" mb="sm">
            Messages and decisions
          </Title>
          {items.length === 0 ? (
            <EmptyState title="Nothing happened yet">This conversation has no messages or decisions yet; they appear here as they happen.</EmptyState>
          ) : (
            <Stack component="ol" gap="xs" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Timeline">
              {items.map((item) =>
                item.type === 'decision' ? (
                  <DecisionItem key={`d${item.decisionId}`} item={item} names={names} />
                ) : (
                  <MessageItem key={`m${item.messageId}`} item={item} />
                ),
              )}
            </Stack>
          )}
          {timeline.hasNextPage && (
            <Group justify="center" mt="md">
              <Button variant="default" onClick={() => void timeline.fetchNextPage()} loading={timeline.isFetchingNextPage}>
                Load more
              </Button>
            </Group>
          )}
          {timeline.isFetchNextPageError && <ErrorAlert error={timeline.error} title="Could not load more" />}
        </section>
        <AutomationSection conversationId={conversationId} />
      </Stack>
    </>
  );
}
