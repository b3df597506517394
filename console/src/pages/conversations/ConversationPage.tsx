import { Anchor, Badge, Box, Button, Group, Menu, Paper, ScrollArea, Select, Stack, TagsInput, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { api, ApiError, unwrap, type Schemas } from '../../api/client';
import { useMe } from '../../auth/useMe';
import { ConfirmButton } from '../../components/ConfirmButton';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { CHANNEL_LABEL, conversationKeys, STATUS_COLOR, STATUS_LABEL, useInboxAgents, type ConversationWithMessages } from './queries';
import { ReplyBox } from './ReplyBox';

type Message = Schemas['MessageView'];

/** One conversation: its messages, actions, contact panel and the reply box. */
export default function ConversationPage() {
  const { conversationId } = useParams() as { conversationId: string };
  const { search } = useLocation();
  const conversation = useQuery({
    queryKey: conversationKeys.one(conversationId),
    queryFn: () => unwrap(api.GET('/api/v1/conversations/{id}', { params: { path: { id: conversationId } } })),
  });

  // Opening it reads it (for the caller only), once per visit.
  const queryClient = useQueryClient();
  const markedRead = useRef<string | null>(null);
  useEffect(() => {
    if (!conversation.data || markedRead.current === conversationId) return;
    markedRead.current = conversationId;
    if (conversation.data.unread) {
      void unwrap(api.POST('/api/v1/conversations/{id}/read', { params: { path: { id: conversationId } } })).then(() => queryClient.invalidateQueries({ queryKey: conversationKeys.all }));
    }
  }, [conversation.data, conversationId, queryClient]);

  if (conversation.isPending) return <Loading />;
  if (conversation.error instanceof ApiError && (conversation.error.status === 404 || conversation.error.status === 403))
    return <EmptyState title="Conversation not found">This conversation does not exist or is in an inbox you are not a member of. Pick one in the list.</EmptyState>;
  // A failed refresh (network, 5xx) keeps what was shown, and the reply being typed, on screen.
  if (!conversation.data) return <ErrorAlert error={conversation.error} />;
  const c = conversation.data;
  return (
    <Stack gap="md">
      {conversation.error && <ErrorAlert error={conversation.error} />}
      <Button component={Link} to={`/conversations${search}`} variant="subtle" size="xs" hiddenFrom="md" style={{ alignSelf: 'flex-start' }}>
        ← All conversations
      </Button>
      <ConversationHeader conversation={c} />
      <Box style={{ display: 'flex', flexWrap: 'wrap', gap: 'var(--mantine-spacing-md)', alignItems: 'flex-start' }}>
        <Stack gap="md" style={{ flex: '3 1 380px', minWidth: 0 }}>
          <Thread messages={c.messages} />
          <ReplyBox key={c.id} conversationId={c.id} inboxId={c.inboxId} sms={c.channelType === 'sms'} />
        </Stack>
        <Box style={{ flex: '1 1 240px', minWidth: 0 }}>
          <ContactPanel conversation={c} />
        </Box>
      </Box>
    </Stack>
  );
}

function ConversationHeader({ conversation: c }: { conversation: ConversationWithMessages }) {
  const queryClient = useQueryClient();
  const me = useMe().data!;
  const agents = useInboxAgents(c.inboxId);
  const assignee = agents.data?.agents.find((a) => a.userId === c.assigneeId);
  const path = { params: { path: { id: c.id } } };

  const action = useMutation({
    mutationFn: async (run: () => Promise<unknown>) => run(),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: conversationKeys.all }),
  });
  const run = (fn: () => Promise<unknown>) => action.mutate(fn);

  const inbox = me.inboxes.find((i) => i.id === c.inboxId);
  const manages = me.managedInboxIds.includes(c.inboxId);
  // Members take conversations themselves in assignment mode only; managers assign in either mode.
  const canTake = manages || (inbox?.settings.assignmentMode === 'assignment' && !c.assigneeId);
  const moveTargets = me.inboxes.filter((i) => i.id !== c.inboxId && i.channelType === c.channelType);
  const closed = c.status === 'resolved' || c.status === 'spam';

  return (
    <Paper withBorder p="sm">
      <Group justify="space-between" align="flex-start" gap="sm">
        <Stack gap={4} style={{ minWidth: 0 }}>
          <Group gap="xs">
            <Title order={2} size="h3">
              {c.contactName ?? 'Unknown contact'}
            </Title>
            {c.vip && (
              <Badge color="grape" variant="filled">
                VIP
              </Badge>
            )}
          </Group>
          <Group gap="xs">
            <Badge color={STATUS_COLOR[c.status]} variant="light" aria-label={`Status: ${STATUS_LABEL[c.status]}`}>
              {STATUS_LABEL[c.status]}
            </Badge>
            <Badge variant="outline" color="gray">
              {CHANNEL_LABEL[c.channelType]}
            </Badge>
            <Text size="sm" c="dimmed">
              {c.assigneeId ? `Assigned to ${assignee?.name ?? 'an agent'}` : 'Unassigned'}
            </Text>
            <Anchor component={Link} to={`/conversations/${c.id}/timeline`} size="sm">
              Timeline
            </Anchor>
          </Group>
        </Stack>
        <Group gap="xs">
          {c.assigneeId !== me.user.id && canTake && (
            <Button size="xs" variant="light" onClick={() => run(() => unwrap(api.POST('/api/v1/conversations/{id}/self-assign', path)))} loading={action.isPending}>
              Assign to me
            </Button>
          )}
          {closed ? (
            <Button size="xs" variant="light" onClick={() => run(() => unwrap(api.POST('/api/v1/conversations/{id}/reopen', path)))}>
              Reopen
            </Button>
          ) : (
            <>
              <Button size="xs" color="green" onClick={() => run(() => unwrap(api.POST('/api/v1/conversations/{id}/resolve', path)))}>
                Resolve
              </Button>
              {c.status !== 'pending' && (
                <Button size="xs" variant="default" onClick={() => run(() => unwrap(api.POST('/api/v1/conversations/{id}/pending', path)))}>
                  Pending
                </Button>
              )}
            </>
          )}
          <Menu position="bottom-end" withinPortal>
            <Menu.Target>
              <Button size="xs" variant="default">
                More
              </Button>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Item onClick={() => run(() => unwrap(api.POST('/api/v1/conversations/{id}/unread', path)))}>Mark as unread</Menu.Item>
              <Menu.Item onClick={() => run(() => unwrap(api.POST('/api/v1/conversations/{id}/read', path)))}>Mark as read</Menu.Item>
              {c.assigneeId && (manages || c.assigneeId === me.user.id) && <Menu.Item onClick={() => run(() => unwrap(api.PUT('/api/v1/conversations/{id}/assignee', { ...path, body: { assigneeId: null } })))}>Unassign</Menu.Item>}
            </Menu.Dropdown>
          </Menu>
          {c.status !== 'spam' && (
            <ConfirmButton size="xs" variant="light" title="Mark as spam?" message="The conversation closes as spam and its contact is marked as a spammer." confirmLabel="Mark as spam" onConfirm={() => unwrap(api.POST('/api/v1/conversations/{id}/spam', path)).then(() => queryClient.invalidateQueries({ queryKey: conversationKeys.all }))}>
              Spam
            </ConfirmButton>
          )}
        </Group>
      </Group>
      <Group gap="sm" mt="sm" align="flex-end">
        {manages && (
        <Select
          size="xs"
          label="Assignee"
          placeholder="Pick an agent"
          data={(agents.data?.agents ?? []).map((a) => ({ value: a.userId, label: `${a.name}${a.online ? ' (online)' : ''} · ${a.load}/${a.capacity}` }))}
          value={c.assigneeId}
          onChange={(v) => v && v !== c.assigneeId && run(() => unwrap(api.PUT('/api/v1/conversations/{id}/assignee', { ...path, body: { assigneeId: v } })))}
          style={{ minWidth: 200 }}
        />
        )}
        {moveTargets.length > 0 && (
          <Select
            size="xs"
            label="Move to inbox"
            placeholder="Pick an inbox"
            data={moveTargets.map((i) => ({ value: i.id, label: i.name }))}
            value={null}
            onChange={(v) => v && run(() => unwrap(api.POST('/api/v1/conversations/{id}/move', { ...path, body: { inboxId: v } })))}
            style={{ minWidth: 180 }}
          />
        )}
      </Group>
      <Box mt={action.error ? 'sm' : 0}>
        <ErrorAlert error={action.error} />
      </Box>
    </Paper>
  );
}

const SENDER: Record<Message['senderType'], string> = { contact: 'Customer', agent: 'Agent', system: 'System', ai: 'AI agent', note: 'Private note', rule: 'Automation' };

function Thread({ messages }: { messages: Message[] }) {
  const end = useRef<HTMLDivElement>(null);
  const last = messages.at(-1)?.id;
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'nearest' });
  }, [last]);
  if (messages.length === 0) return <EmptyState title="No messages">Write the first message below.</EmptyState>;
  return (
    <ScrollArea.Autosize mah="55vh" type="auto">
      <Stack gap="xs" component="ol" aria-label="Messages" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
        {messages.map((m) => {
          const note = m.direction === 'internal';
          const out = m.direction === 'outbound';
          return (
            <Box component="li" key={m.id} style={{ display: 'flex', justifyContent: out ? 'flex-end' : 'flex-start' }} data-direction={m.direction}>
              <Paper
                p="xs"
                radius="md"
                withBorder={note}
                bg={note ? 'yellow.0' : out ? 'blue.0' : 'gray.1'}
                style={{ maxWidth: '85%', borderStyle: note ? 'dashed' : undefined, borderColor: note ? 'var(--mantine-color-yellow-5)' : undefined }}
                aria-label={`${note ? 'Private note' : out ? 'Sent' : 'Received'} message`}
              >
                <Group gap={6} mb={2}>
                  <Text size="xs" fw={700} c={note ? 'yellow.9' : 'dimmed'}>
                    {SENDER[m.senderType]}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {new Date(m.createdAt).toLocaleString()}
                  </Text>
                  {out && (
                    <Badge size="xs" variant="light" color={m.deliveryStatus === 'failed' ? 'red' : 'gray'}>
                      {m.deliveryStatus}
                    </Badge>
                  )}
                </Group>
                {m.subject && (
                  <Text size="sm" fw={600}>
                    {m.subject}
                  </Text>
                )}
                <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
                  {m.content}
                </Text>
                {m.error && (
                  <Text size="xs" c="red">
                    {m.error}
                  </Text>
                )}
              </Paper>
            </Box>
          );
        })}
      </Stack>
      <div ref={end} />
    </ScrollArea.Autosize>
  );
}

function ContactPanel({ conversation: c }: { conversation: ConversationWithMessages }) {
  const queryClient = useQueryClient();
  const contact = useQuery({
    queryKey: ['contacts', 'one', c.contactId],
    queryFn: () => unwrap(api.GET('/api/v1/contacts/{id}', { params: { path: { id: c.contactId } } })),
    staleTime: 15_000,
  });
  const [tags, setTags] = useState<string[]>(c.tags);
  useEffect(() => {
    setTags(c.tags);
  }, [c.tags]);
  const saveTags = useMutation({
    mutationFn: (next: string[]) => unwrap(api.PUT('/api/v1/conversations/{id}/tags', { params: { path: { id: c.id } }, body: { tags: next } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: conversationKeys.all }),
  });

  const k = contact.data;
  return (
    <Paper withBorder p="sm" component="aside" aria-label="Contact">
      <Stack gap="xs">
        <Text fw={700}>Contact</Text>
        <ErrorAlert error={contact.error} />
        {contact.isPending ? (
          <Loading />
        ) : (
          k && (
            <>
              <Group gap="xs">
                <Text size="sm" fw={600}>
                  {k.name ?? 'No name'}
                </Text>
                {k.vip && (
                  <Badge size="xs" color="grape" variant="filled">
                    VIP
                  </Badge>
                )}
              </Group>
              <dl style={{ margin: 0, display: 'grid', gridTemplateColumns: 'auto 1fr', gap: '4px 10px', fontSize: 'var(--mantine-font-size-sm)' }}>
                {k.phone && <Field label="Phone" value={k.phone} />}
                {k.email && <Field label="Email" value={k.email} />}
                {k.attributes
                  .filter((a) => a.visible)
                  .map((a) => (
                    <Field key={a.key} label={a.label} value={a.value ?? '—'} />
                  ))}
              </dl>
              {k.tags.length > 0 && (
                <Group gap={4} aria-label="Contact tags">
                  {k.tags.map((t) => (
                    <Badge key={t} size="xs" variant="light" color="gray">
                      {t}
                    </Badge>
                  ))}
                </Group>
              )}
            </>
          )
        )}
        <TagsInput
          size="xs"
          label="Conversation tags"
          placeholder="Add a tag, Enter"
          value={tags}
          onChange={(next) => {
            setTags(next);
            saveTags.mutate(next);
          }}
        />
        <ErrorAlert error={saveTags.error} />
      </Stack>
    </Paper>
  );
}

function Field({ label, value }: { label: string; value: string }) {
  return (
    <>
      <dt style={{ color: 'var(--mantine-color-dimmed)' }}>{label}</dt>
      <dd style={{ margin: 0, overflowWrap: 'anywhere' }}>{value}</dd>
    </>
  );
}
