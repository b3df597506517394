import { Anchor, Badge, Button, Checkbox, Group, Modal, Select, Stack, Table, TagsInput, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useDebouncedValue, useDisclosure } from '@mantine/hooks';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, unwrap } from '../../api/client';
import { showApiErrors } from '../../api/form-errors';
import { useMe } from '../../auth/useMe';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { contactName } from './contactName';
import { downloadContactsCsv, type ContactFilters } from './csv';
import { ImportContactsButton } from './ImportContacts';

const PAGE = 50;

function CreateContactButton() {
  const [opened, { open, close }] = useDisclosure(false);
  const [formError, setFormError] = useState<unknown>(null);
  const navigate = useNavigate();
  const qc = useQueryClient();
  const form = useForm({ initialValues: { name: '', email: '', phone: '', vip: false, tags: [] as string[] } });
  const create = useMutation({
    mutationFn: (v: typeof form.values) =>
      unwrap(api.POST('/api/v1/contacts', { body: { name: v.name || null, email: v.email || null, phone: v.phone || null, vip: v.vip, tags: v.tags } })),
    onMutate: () => setFormError(null),
    onSuccess: async (c) => {
      await qc.invalidateQueries({ queryKey: ['contacts'] });
      close();
      form.reset();
      void navigate(`/contacts/${c.id}`);
    },
    onError: (e) => setFormError(showApiErrors(form, e)),
  });
  return (
    <>
      <Button onClick={open}>New contact</Button>
      <Modal opened={opened} onClose={close} title="New contact">
        <form onSubmit={form.onSubmit((v) => create.mutate(v))} noValidate>
          <Stack>
            <ErrorAlert error={formError} />
            <TextInput label="Name" {...form.getInputProps('name')} data-autofocus />
            <TextInput label="Email" type="email" {...form.getInputProps('email')} />
            <TextInput label="Phone" description="E.164 (+4915…) becomes the SMS identity" {...form.getInputProps('phone')} />
            <TagsInput label="Tags" {...form.getInputProps('tags')} />
            <Checkbox label="VIP" {...form.getInputProps('vip', { type: 'checkbox' })} />
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" loading={create.isPending}>
                Create contact
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}

/** Contacts with filters (search, VIP, tag, favourites), newest first, "Load more" by cursor. */
export default function ContactListPage() {
  const me = useMe();
  const isAdmin = me.data?.isAdmin ?? false;
  const [q, setQ] = useState('');
  const [tag, setTag] = useState('');
  const [vip, setVip] = useState<string | null>('all');
  const [favourites, setFavourites] = useState(false);
  const [optedOut, setOptedOut] = useState<string | null>('all');
  const [dq] = useDebouncedValue(q.trim(), 300);
  const [dtag] = useDebouncedValue(tag.trim(), 300);
  const filters: ContactFilters = {
    ...(dq ? { q: dq } : {}),
    ...(dtag ? { tag: dtag } : {}),
    ...(vip === 'yes' ? { vip: true } : vip === 'no' ? { vip: false } : {}),
    ...(favourites ? { favourites: true } : {}),
    ...(optedOut === 'yes' ? { optedOut: true } : optedOut === 'no' ? { optedOut: false } : {}),
  };
  const list = useInfiniteQuery({
    queryKey: ['contacts', filters],
    queryFn: ({ pageParam }) => unwrap(api.GET('/api/v1/contacts', { params: { query: { ...filters, limit: PAGE, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const exportCsv = useMutation({ mutationFn: () => downloadContactsCsv(filters) });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const filtered = Object.keys(filters).length > 0;

  return (
    <>
      <PageHeader
        title="Contacts"
        description="Your customers across channels, their attributes and opt-outs."
        actions={
          isAdmin && (
            <>
              <Button variant="default" component={Link} to="/contacts/attributes">
                Contact attributes
              </Button>
              <Button variant="default" onClick={() => exportCsv.mutate()} loading={exportCsv.isPending}>
                Export CSV
              </Button>
              <ImportContactsButton />
              <CreateContactButton />
            </>
          )
        }
      />
      <ErrorAlert error={exportCsv.error} />
      <Group mb="md" align="flex-end" gap="sm" wrap="wrap">
        <TextInput label="Search" placeholder="Name, email or phone" value={q} onChange={(e) => setQ(e.currentTarget.value)} w={240} />
        <TextInput label="Tag" value={tag} onChange={(e) => setTag(e.currentTarget.value)} w={160} />
        <Select
          label="VIP"
          w={140}
          value={vip}
          onChange={setVip}
          allowDeselect={false}
          data={[
            { value: 'all', label: 'All contacts' },
            { value: 'yes', label: 'VIP only' },
            { value: 'no', label: 'Not VIP' },
          ]}
        />
        <Select
          label="Opt-outs"
          w={170}
          value={optedOut}
          onChange={setOptedOut}
          allowDeselect={false}
          data={[
            { value: 'all', label: 'Any' },
            { value: 'yes', label: 'Opted out' },
            { value: 'no', label: 'Not opted out' },
          ]}
        />
        <Checkbox label="My favourites" checked={favourites} onChange={(e) => setFavourites(e.currentTarget.checked)} mb={8} />
      </Group>
      <ErrorAlert error={list.error} />
      {list.isPending ? (
        <Loading label="Loading contacts" />
      ) : items.length === 0 ? (
        <EmptyState title={filtered ? 'No contact matches' : 'No contacts yet'}>
          {filtered
            ? 'Change or clear the filters to see more contacts.'
            : isAdmin
              ? 'Create a contact, import a CSV file, or wait for the first message from a customer.'
              : 'Contacts appear here when they write to one of your inboxes.'}
        </EmptyState>
      ) : (
        <Stack>
          <Table.ScrollContainer minWidth={560}>
            <Table striped highlightOnHover aria-label="Contacts">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Email</Table.Th>
                  <Table.Th>Phone</Table.Th>
                  <Table.Th>Tags</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((c) => (
                  <Table.Tr key={c.id}>
                    <Table.Td>
                      <Group gap={6} wrap="nowrap">
                        <Anchor component={Link} to={`/contacts/${c.id}`} fw={500}>
                          {contactName(c)}
                        </Anchor>
                        {c.vip && (
                          <Badge size="xs" color="yellow">
                            VIP
                          </Badge>
                        )}
                        {c.favourite && (
                          <Text span size="xs" c="dimmed" aria-label="Favourite">
                            ★
                          </Text>
                        )}
                      </Group>
                    </Table.Td>
                    <Table.Td>{c.email ?? '—'}</Table.Td>
                    <Table.Td>{c.phone ?? '—'}</Table.Td>
                    <Table.Td>
                      <Group gap={4}>
                        {c.tags.map((t) => (
                          <Badge key={t} size="xs" variant="light">
                            {t}
                          </Badge>
                        ))}
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {list.hasNextPage && (
            <Group justify="center">
              <Button variant="default" onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
                Load more
              </Button>
            </Group>
          )}
        </Stack>
      )}
    </>
  );
}
