import { Anchor, Badge, Button, Grid, Group, Paper, Select, Stack, Switch, Table, TagsInput, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, ApiError, unwrap, type Schemas } from '../../api/client';
import { showApiErrors } from '../../api/form-errors';
import { useMe } from '../../auth/useMe';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { NoAccess } from '../../components/NoAccess';
import { PageHeader } from '../../components/PageHeader';
import { ContactCrmSection } from '../crm/ContactCrmSection';
import { capitalised, contactCrmKey, useContactCrm } from '../crm/useContactCrm';
import { contactName } from './contactName';
import { DeleteContactButton } from './DeleteContact';
import { MergeContactButton } from './MergeContact';

type Contact = Schemas['ContactView'];
const CHANNELS = [
  { type: 'sms', label: 'SMS' },
  { type: 'email', label: 'Email' },
  { type: 'api', label: 'API' },
] as const;

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <Paper withBorder radius="md" p="md" component="section" aria-label={title}>
      <Title order={2} size="h5" mb="sm">
        {title}
      </Title>
      {children}
    </Paper>
  );
}

function formValues(c: Contact) {
  return {
    name: c.name ?? '',
    email: c.email ?? '',
    phone: c.phone ?? '',
    tags: c.tags,
    attributes: Object.fromEntries(c.attributes.map((a) => [a.key, a.value ?? ''])) as Record<string, string>,
  };
}

function DetailsForm({ contact }: { contact: Contact }) {
  const qc = useQueryClient();
  const [formError, setFormError] = useState<unknown>(null);
  const form = useForm({ initialValues: formValues(contact) });
  // Which attributes a CRM connector manages and whether you may change them: the API decides.
  const crm = useContactCrm(contact.id);
  const managed = new Map((crm.data?.attributes ?? []).map((a) => [a.key, a]));
  useEffect(() => {
    form.setValues(formValues(contact));
    form.resetDirty(formValues(contact));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [contact.updatedAt]);
  const save = useMutation({
    mutationFn: (v: ReturnType<typeof formValues>) =>
      unwrap(
        api.PATCH('/api/v1/contacts/{id}', {
          params: { path: { id: contact.id } },
          body: {
            name: v.name || null,
            email: v.email || null,
            phone: v.phone || null,
            tags: v.tags,
            attributes: Object.fromEntries(Object.entries(v.attributes).map(([k, val]) => [k, val === '' ? null : val])),
          },
        }),
      ),
    onMutate: () => setFormError(null),
    onSuccess: (c) => {
      qc.setQueryData(['contact', contact.id], c);
      void qc.invalidateQueries({ queryKey: ['contacts'] });
    },
    onError: (e) => {
      if (e instanceof ApiError && e.status === 403) {
        // A CRM-managed attribute refused (write-back was turned off meanwhile): its stored value comes
        // back, with the API's problem under it, and the form learns it is read-only now.
        for (const { field } of e.details) {
          const key = field.startsWith('attributes.') ? field.slice('attributes.'.length) : null;
          const stored = key === null ? undefined : contact.attributes.find((a) => a.key === key);
          if (stored) form.setFieldValue(`attributes.${stored.key}`, stored.value ?? '');
        }
        void qc.invalidateQueries({ queryKey: contactCrmKey(contact.id) });
      }
      setFormError(showApiErrors(form, e));
    },
  });

  return (
    <form onSubmit={form.onSubmit((v) => save.mutate(v))} noValidate>
      <Stack>
        <ErrorAlert error={formError} />
        <TextInput label="Name" {...form.getInputProps('name')} />
        <TextInput label="Email" type="email" {...form.getInputProps('email')} />
        <TextInput label="Phone" {...form.getInputProps('phone')} />
        <TagsInput label="Tags" {...form.getInputProps('tags')} />
        {contact.attributes.length > 0 && (
          <Text fw={600} size="sm" mt="xs">
            Attributes
          </Text>
        )}
        {contact.attributes.map((a) => {
          const label = (
            <Group gap={6} component="span" display="inline-flex">
              {a.label}
              {!a.visible && (
                <Badge size="xs" variant="outline" color="gray">
                  hidden from agents
                </Badge>
              )}
            </Group>
          );
          const props = form.getInputProps(`attributes.${a.key}`);
          const crmManaged = managed.get(a.key);
          // Until the CRM view is in, no attribute is typed into (one may turn out read-only).
          const readOnly = crm.isPending || (crmManaged ? !crmManaged.editable : false);
          // Filled (grey) when read-only, so it does not look like a field waiting for input.
          const description = crmManaged ? capitalised(crmManaged.hint) : undefined;
          return a.type === 'dropdown' ? (
            <Select
              key={a.key}
              label={label}
              aria-label={a.label}
              description={description}
              readOnly={readOnly}
              variant={readOnly ? 'filled' : 'default'}
              data={a.options}
              clearable={!readOnly}
              {...props}
              value={props.value || null}
              onChange={(v) => form.setFieldValue(`attributes.${a.key}`, v ?? '')}
            />
          ) : (
            <TextInput key={a.key} label={label} aria-label={a.label} description={description} readOnly={readOnly} variant={readOnly ? 'filled' : 'default'} {...props} />
          );
        })}
        <Group>
          <Button type="submit" loading={save.isPending} disabled={!form.isDirty()}>
            Save contact
          </Button>
          {save.isSuccess && !form.isDirty() && (
            <Text size="sm" c="green" role="status">
              Saved
            </Text>
          )}
        </Group>
      </Stack>
    </form>
  );
}

function OptOuts({ contact }: { contact: Contact }) {
  const qc = useQueryClient();
  const toggle = useMutation({
    mutationFn: async ({ channelType, subscribed }: { channelType: (typeof CHANNELS)[number]['type']; subscribed: boolean }) => {
      const params = { path: { id: contact.id, channelType } };
      if (subscribed) await unwrap(api.DELETE('/api/v1/contacts/{id}/opt-outs/{channelType}', { params }));
      else await unwrap(api.PUT('/api/v1/contacts/{id}/opt-outs/{channelType}', { params }));
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: ['contact', contact.id] }),
  });
  return (
    <Stack gap="xs">
      <ErrorAlert error={toggle.error} />
      {CHANNELS.map(({ type, label }) => {
        const out = contact.optOuts.find((o) => o.channelType === type);
        return (
          <Switch
            key={type}
            label={`Campaign messages by ${label}`}
            description={out ? `Opted out ${out.source === 'keyword' ? 'by keyword' : 'manually'} on ${new Date(out.createdAt).toLocaleDateString()}` : undefined}
            checked={!out}
            disabled={toggle.isPending}
            onChange={(e) => toggle.mutate({ channelType: type, subscribed: e.currentTarget.checked })}
          />
        );
      })}
    </Stack>
  );
}

function Conversations({ contactId }: { contactId: string }) {
  const messages = useQuery({
    queryKey: ['contact', contactId, 'messages'],
    queryFn: () => unwrap(api.GET('/api/v1/contacts/{id}/messages', { params: { path: { id: contactId }, query: { limit: 200 } } })),
  });
  if (messages.isPending) return <Loading label="Loading conversations" />;
  if (messages.error) return <ErrorAlert error={messages.error} />;
  const byConversation = new Map<string, { id: string; channelType: string; count: number; last: Schemas['ContactMessageView'] }>();
  for (const m of messages.data.items) {
    const entry = byConversation.get(m.conversationId);
    if (entry) {
      entry.count += 1;
      entry.last = m;
    } else byConversation.set(m.conversationId, { id: m.conversationId, channelType: m.channelType, count: 1, last: m });
  }
  const list = [...byConversation.values()].sort((a, b) => b.last.createdAt.localeCompare(a.last.createdAt));
  if (list.length === 0) return <Text size="sm" c="dimmed">No conversations in your inboxes yet. Start one from the conversations screen.</Text>;
  return (
    <Table aria-label="Conversations">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Channel</Table.Th>
          <Table.Th>Last message</Table.Th>
          <Table.Th>When</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {list.map((c) => (
          <Table.Tr key={c.id}>
            <Table.Td>
              <Badge variant="light">{c.channelType}</Badge>
            </Table.Td>
            <Table.Td>
              <Anchor component={Link} to={`/conversations/${c.id}`} lineClamp={1}>
                {c.last.subject || c.last.content || '(no text)'}
              </Anchor>
            </Table.Td>
            <Table.Td>
              <Text size="xs" c="dimmed">
                {new Date(c.last.createdAt).toLocaleString()}
              </Text>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** A contact: details and attributes (editable), VIP, favourite, opt-outs, conversations, merge, delete. */
export default function ContactDetailPage() {
  const { id = '' } = useParams();
  const me = useMe();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const contact = useQuery({
    queryKey: ['contact', id],
    queryFn: () => unwrap(api.GET('/api/v1/contacts/{id}', { params: { path: { id } } })),
    retry: (n, e) => !(e instanceof ApiError && e.status < 500) && n < 2,
  });
  const patch = useMutation({
    mutationFn: (body: Schemas['UpdateContactDto']) => unwrap(api.PATCH('/api/v1/contacts/{id}', { params: { path: { id } }, body })),
    onSuccess: (c) => {
      qc.setQueryData(['contact', id], c);
      void qc.invalidateQueries({ queryKey: ['contacts'] });
    },
  });
  const favourite = useMutation({
    mutationFn: async (on: boolean) => {
      const params = { path: { id } };
      await unwrap(on ? api.PUT('/api/v1/contacts/{id}/favourite', { params }) : api.DELETE('/api/v1/contacts/{id}/favourite', { params }));
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: ['contact', id] }),
  });

  if (contact.error instanceof ApiError && (contact.error.status === 404 || contact.error.status === 400))
    return (
      <EmptyState title="Contact not found" action={<Button component={Link} to="/contacts" variant="default">Back to contacts</Button>}>
        This contact does not exist, was deleted or merged, or belongs to another account.
      </EmptyState>
    );
  if (contact.error instanceof ApiError && contact.error.status === 403) return <NoAccess needs="a conversation of this contact in one of your inboxes" />;
  if (contact.error) return <ErrorAlert error={contact.error} />;
  if (!contact.data) return <Loading label="Loading contact" />;
  const c = contact.data;
  const isAdmin = me.data?.isAdmin ?? false;

  return (
    <>
      <Anchor component={Link} to="/contacts" size="sm">
        ← Contacts
      </Anchor>
      <PageHeader
        title={contactName(c)}
        description={
          <Group gap={6} component="span">
            {c.vip && <Badge color="yellow">VIP</Badge>}
            {c.spam && <Badge color="red">Spam</Badge>}
            <span>Since {new Date(c.createdAt).toLocaleDateString()}</span>
          </Group>
        }
        actions={
          <>
            <MergeContactButton contact={c} onMerged={() => void qc.invalidateQueries({ queryKey: ['contacts'] })} />
            {isAdmin && <DeleteContactButton contact={c} onDeleted={() => navigate('/contacts', { replace: true })} />}
          </>
        }
      />
      <ErrorAlert error={patch.error ?? favourite.error} />
      <Grid>
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Section title="Details">
            <DetailsForm contact={c} />
          </Section>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Stack>
            <Section title="Flags">
              <Stack gap="xs">
                <Switch label="VIP (goes first in the queue)" checked={c.vip} disabled={patch.isPending} onChange={(e) => patch.mutate({ vip: e.currentTarget.checked })} />
                <Switch label="One of my favourites" checked={c.favourite} disabled={favourite.isPending} onChange={(e) => favourite.mutate(e.currentTarget.checked)} />
              </Stack>
            </Section>
            <Section title="Opt-outs">
              <OptOuts contact={c} />
            </Section>
            <Section title="CRM">
              <ContactCrmSection contactId={c.id} />
            </Section>
            <Section title="Identities">
              {c.identities.length === 0 ? (
                <Text size="sm" c="dimmed">
                  No channel identity yet: add an email or an E.164 phone number.
                </Text>
              ) : (
                <Stack gap={4}>
                  {c.identities.map((i) => (
                    <Group key={i.id} gap="xs">
                      <Badge variant="light" w={60}>
                        {i.channelType}
                      </Badge>
                      <Text size="sm">{i.address}</Text>
                    </Group>
                  ))}
                </Stack>
              )}
              {Object.keys(c.platformAttributes).length > 0 && (
                <Stack gap={2} mt="sm">
                  {Object.entries(c.platformAttributes).map(([k, v]) => (
                    <Text key={k} size="xs" c="dimmed">
                      {k}: {v}
                    </Text>
                  ))}
                </Stack>
              )}
            </Section>
          </Stack>
        </Grid.Col>
        <Grid.Col span={12}>
          <Section title="Conversations across channels">
            <Conversations contactId={c.id} />
          </Section>
        </Grid.Col>
      </Grid>
    </>
  );
}
