import { Badge, Button, Group, Modal, Select, Stack, Table, Text, Textarea, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { showApiErrors } from '../../api/form-errors';
import { ConfirmButton } from '../../components/ConfirmButton';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';

type Reply = Schemas['SavedReplyView'];
type Values = Schemas['CreateSavedReplyDto'];

const KEY = ['saved-replies'];

function ReplyForm({ reply, onDone }: { reply: Reply | null; onDone: () => void }) {
  const queryClient = useQueryClient();
  const inboxes = useQuery({ queryKey: ['inboxes'], queryFn: () => unwrap(api.GET('/api/v1/inboxes')) });
  const teams = useQuery({ queryKey: ['teams'], queryFn: () => unwrap(api.GET('/api/v1/teams')), retry: false });
  const form = useForm<Values>({
    initialValues: reply
      ? { scope: reply.scope, inboxId: reply.inboxId ?? '', teamId: reply.teamId ?? '', shortcut: reply.shortcut, content: reply.content }
      : { scope: 'personal', inboxId: '', teamId: '', shortcut: '', content: '' },
  });
  const [formError, setFormError] = useState<unknown>(null);
  const save = useMutation({
    mutationFn: (v: Values) =>
      reply
        ? unwrap(api.PATCH('/api/v1/saved-replies/{id}', { params: { path: { id: reply.id } }, body: { shortcut: v.shortcut, content: v.content } }))
        : unwrap(
            api.POST('/api/v1/saved-replies', {
              body: { scope: v.scope, shortcut: v.shortcut, content: v.content, ...(v.scope === 'inbox' ? { inboxId: v.inboxId } : {}), ...(v.scope === 'team' ? { teamId: v.teamId } : {}) },
            }),
          ),
    onMutate: () => setFormError(null),
    onError: (e) => setFormError(showApiErrors(form, e)),
    onSuccess: async (saved) => {
      await queryClient.invalidateQueries({ queryKey: KEY });
      notifications.show({ message: `Saved /${saved.shortcut}`, color: 'green' });
      onDone();
    },
  });
  const scope = form.values.scope;
  return (
    <form onSubmit={form.onSubmit((v) => save.mutate(v))} noValidate>
      <Stack gap="sm">
        <ErrorAlert error={formError} />
        <Select
          label="Who may use it"
          disabled={!!reply}
          allowDeselect={false}
          data={[
            { value: 'personal', label: 'Only me (personal)' },
            { value: 'inbox', label: 'Everyone in an inbox' },
            { value: 'team', label: 'A team' },
          ]}
          {...form.getInputProps('scope')}
        />
        {scope === 'inbox' && <Select label="Inbox" disabled={!!reply} data={(inboxes.data ?? []).map((i) => ({ value: i.id, label: i.name }))} {...form.getInputProps('inboxId')} />}
        {scope === 'team' && <Select label="Team" disabled={!!reply} data={(teams.data ?? []).map((t) => ({ value: t.id, label: t.name }))} {...form.getInputProps('teamId')} />}
        <TextInput label="Shortcut" description="Agents type /shortcut in the reply box" leftSection="/" required {...form.getInputProps('shortcut')} />
        <Textarea
          label="Content"
          description="Variables: {{contact.first_name}}, {{contact.name}}, {{agent.name}}, {{inbox.name}}, {{account.name}} … (unknown variables are refused)"
          autosize
          minRows={4}
          required
          {...form.getInputProps('content')}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={save.isPending}>
            {reply ? 'Save' : 'Create saved reply'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export default function SavedRepliesPage() {
  const queryClient = useQueryClient();
  const [q, setQ] = useState('');
  const [search] = useDebouncedValue(q, 250);
  const [editing, setEditing] = useState<Reply | 'new' | null>(null);
  const list = useQuery({ queryKey: [...KEY, { q: search }], queryFn: () => unwrap(api.GET('/api/v1/saved-replies', { params: { query: search ? { q: search } : {} } })) });
  const inboxes = useQuery({ queryKey: ['inboxes'], queryFn: () => unwrap(api.GET('/api/v1/inboxes')) });
  const items = list.data ?? [];
  const where = (r: Reply) => (r.scope === 'inbox' ? `inbox ${inboxes.data?.find((i) => i.id === r.inboxId)?.name ?? ''}` : r.scope);

  return (
    <>
      <PageHeader title="Saved replies" description="Texts agents insert with a /shortcut; variables are filled in for each contact." actions={<Button onClick={() => setEditing('new')}>New saved reply</Button>} />
      <TextInput label="Search" placeholder="Shortcut or text" value={q} onChange={(e) => setQ(e.currentTarget.value)} mb="md" maw={360} />
      <ErrorAlert error={list.error} />
      {list.isLoading ? (
        <Loading />
      ) : items.length === 0 ? (
        <EmptyState title={search ? 'No saved reply matches' : 'No saved replies yet'} action={<Button onClick={() => setEditing('new')}>Create a saved reply</Button>}>
          Create a saved reply with a shortcut (e.g. /thanks); agents expand it while replying.
        </EmptyState>
      ) : (
        <Table.ScrollContainer minWidth={560}>
          <Table striped withTableBorder aria-label="Saved replies">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Shortcut</Table.Th>
                <Table.Th>Content</Table.Th>
                <Table.Th>For</Table.Th>
                <Table.Th>Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((r) => (
                <Table.Tr key={r.id}>
                  <Table.Td ff="monospace">/{r.shortcut}</Table.Td>
                  <Table.Td>
                    <Text size="sm" lineClamp={2} maw={480}>
                      {r.content}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light">{where(r)}</Badge>
                  </Table.Td>
                  <Table.Td>
                    {r.canEdit && (
                      <Group gap="xs" wrap="nowrap">
                        <Button size="compact-sm" variant="default" onClick={() => setEditing(r)} aria-label={`Edit /${r.shortcut}`}>
                          Edit
                        </Button>
                        <ConfirmButton
                          size="compact-sm"
                          variant="light"
                          title={`Delete /${r.shortcut}?`}
                          message="Agents can no longer insert it; rules that send it stop working. This cannot be undone."
                          aria-label={`Delete /${r.shortcut}`}
                          onConfirm={async () => {
                            await unwrap(api.DELETE('/api/v1/saved-replies/{id}', { params: { path: { id: r.id } } }));
                            await queryClient.invalidateQueries({ queryKey: KEY });
                          }}
                        >
                          Delete
                        </ConfirmButton>
                      </Group>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <Modal opened={editing !== null} onClose={() => setEditing(null)} title={editing === 'new' ? 'New saved reply' : 'Edit saved reply'} size="lg">
        {editing !== null && <ReplyForm reply={editing === 'new' ? null : editing} onDone={() => setEditing(null)} />}
      </Modal>
    </>
  );
}
