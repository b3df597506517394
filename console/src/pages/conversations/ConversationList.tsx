import { Badge, Box, Button, Checkbox, Group, Paper, SegmentedControl, Select, Stack, Text, TextInput, UnstyledButton } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import type { operations } from '../../api/schema';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { CHANNEL_LABEL, conversationKeys, since, STATUS_COLOR, STATUS_LABEL, type Conversation, type ConversationStatus } from './queries';

const PAGE = 30;
type Query = NonNullable<operations['ConversationsController_list']['parameters']['query']>;

/** The filters as the address holds them (?status=open&assignee=me&vip=1…). */
function readFilters(params: URLSearchParams): Query {
  const flag = (k: string) => (params.get(k) === '1' ? true : undefined);
  const q: Query = {};
  const status = params.get('status');
  if (status) q.status = status as ConversationStatus;
  const assignee = params.get('assignee');
  if (assignee === 'me' || assignee === 'unassigned') q.assignee = assignee;
  const channel = params.get('channel');
  if (channel) q.channel = channel as Query['channel'];
  const tag = params.get('tag');
  if (tag) q.tag = tag;
  if (flag('vip')) q.vip = true;
  if (flag('unread')) q.unread = true;
  const text = params.get('q');
  if (text) q.q = text;
  return q;
}

export function ConversationList() {
  const [params, setParams] = useSearchParams();
  const filters = readFilters(params);
  const { conversationId } = useParams();

  const set = (key: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };

  // Text fields are typed freely and land in the address a moment later.
  const [text, setText] = useState(params.get('q') ?? '');
  const [tag, setTag] = useState(params.get('tag') ?? '');
  const [debouncedText] = useDebouncedValue(text.trim(), 300);
  const [debouncedTag] = useDebouncedValue(tag.trim().toLowerCase(), 300);
  useEffect(() => {
    if (debouncedText !== (params.get('q') ?? '')) set('q', debouncedText || null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [debouncedText]);
  useEffect(() => {
    if (debouncedTag !== (params.get('tag') ?? '')) set('tag', debouncedTag || null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [debouncedTag]);

  const list = useInfiniteQuery({
    queryKey: conversationKeys.list(filters as Record<string, string | boolean | undefined>),
    queryFn: ({ pageParam }) => unwrap(api.GET('/api/v1/conversations', { params: { query: { ...filters, limit: PAGE, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    initialPageParam: '' as string,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });

  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const suffix = params.toString() ? `?${params.toString()}` : '';
  const filtered = Object.keys(filters).length > 0;

  return (
    <Stack gap="sm">
      <Paper withBorder p="sm" component="form" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
        <Stack gap="xs">
          <SegmentedControl
            size="xs"
            fullWidth
            aria-label="Assignee"
            value={filters.assignee ?? 'all'}
            onChange={(v) => set('assignee', v === 'all' ? null : v)}
            data={[
              { value: 'all', label: 'All' },
              { value: 'me', label: 'Mine' },
              { value: 'unassigned', label: 'Unassigned' },
            ]}
          />
          <TextInput size="xs" label="Search messages" placeholder="Words in a message" value={text} onChange={(e) => setText(e.currentTarget.value)} type="search" />
          <Group grow gap="xs" align="flex-end">
            <Select
              size="xs"
              label="Status"
              placeholder="Any (no spam)"
              clearable
              value={filters.status ?? null}
              onChange={(v) => set('status', v)}
              data={(Object.keys(STATUS_LABEL) as ConversationStatus[]).map((s) => ({ value: s, label: STATUS_LABEL[s] }))}
            />
            <Select
              size="xs"
              label="Channel"
              placeholder="Any"
              clearable
              value={filters.channel ?? null}
              onChange={(v) => set('channel', v)}
              data={(Object.keys(CHANNEL_LABEL) as Conversation['channelType'][]).map((c) => ({ value: c, label: CHANNEL_LABEL[c] }))}
            />
            <TextInput size="xs" label="Tag" placeholder="Any" value={tag} onChange={(e) => setTag(e.currentTarget.value)} />
          </Group>
          <Group gap="md">
            <Checkbox size="xs" label="VIP only" checked={filters.vip === true} onChange={(e) => set('vip', e.currentTarget.checked ? '1' : null)} />
            <Checkbox size="xs" label="Unread only" checked={filters.unread === true} onChange={(e) => set('unread', e.currentTarget.checked ? '1' : null)} />
          </Group>
        </Stack>
      </Paper>

      <ErrorAlert error={list.error} />
      {list.isPending ? (
        <Loading />
      ) : items.length === 0 ? (
        <EmptyState title={filtered ? 'No conversation matches' : 'No conversations yet'}>
          {filtered ? 'Change or clear the filters above to see more conversations.' : 'Customer messages to your inboxes appear here as they arrive. You can also start a conversation.'}
        </EmptyState>
      ) : (
        <Box component="nav" aria-label="Conversation list">
          <Stack gap={6} component="ul" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
            {items.map((c) => (
              <li key={c.id}>
                <ConversationRow conversation={c} active={c.id === conversationId} to={`/conversations/${c.id}${suffix}`} />
              </li>
            ))}
          </Stack>
          {list.hasNextPage && (
            <Button fullWidth mt="sm" variant="default" loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
              Load more
            </Button>
          )}
        </Box>
      )}
    </Stack>
  );
}

function ConversationRow({ conversation: c, active, to }: { conversation: Conversation; active: boolean; to: string }) {
  const name = c.contactName ?? 'Unknown contact';
  return (
    <UnstyledButton
      component={Link}
      to={to}
      aria-current={active ? 'page' : undefined}
      aria-label={`${name}, ${STATUS_LABEL[c.status]}${c.unread ? ', unread' : ''}${c.vip ? ', VIP' : ''}`}
      data-conversation-id={c.id}
      style={{
        display: 'block',
        padding: '8px 10px',
        borderRadius: 'var(--mantine-radius-sm)',
        border: '1px solid var(--mantine-color-gray-3)',
        background: active ? 'var(--mantine-color-blue-0)' : 'var(--mantine-color-body)',
      }}
    >
      <Group justify="space-between" wrap="nowrap" gap="xs">
        <Group gap={6} wrap="nowrap" style={{ minWidth: 0 }}>
          {c.unread && <Box w={8} h={8} style={{ borderRadius: 4, background: 'var(--mantine-color-blue-6)', flex: 'none' }} aria-hidden />}
          <Text size="sm" fw={c.unread ? 700 : 500} truncate>
            {name}
          </Text>
          {c.vip && (
            <Badge size="xs" color="grape" variant="filled">
              VIP
            </Badge>
          )}
        </Group>
        <Text size="xs" c="dimmed" title={new Date(c.lastActivityAt).toLocaleString()} style={{ flex: 'none' }}>
          {since(c.lastActivityAt)}
        </Text>
      </Group>
      <Group gap={4} mt={4} wrap="wrap">
        <Badge size="xs" variant="light" color={STATUS_COLOR[c.status]}>
          {STATUS_LABEL[c.status]}
        </Badge>
        <Badge size="xs" variant="outline" color="gray">
          {CHANNEL_LABEL[c.channelType]}
        </Badge>
        {!c.assigneeId && (
          <Badge size="xs" variant="outline" color="orange">
            Unassigned
          </Badge>
        )}
        {c.tags.slice(0, 3).map((t) => (
          <Badge key={t} size="xs" variant="dot" color="gray">
            {t}
          </Badge>
        ))}
      </Group>
    </UnstyledButton>
  );
}
