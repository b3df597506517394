import { Anchor, Badge, Button, Checkbox, Group, Modal, MultiSelect, Stack, Table, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useDisclosure } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { showApiErrors } from '../../api/form-errors';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { EVENT_TYPES, formatTime } from './model';
import { SecretModal } from './SecretModal';

type Endpoint = Schemas['WebhookEndpointView'];

function CreateEndpointButton({ onSecret }: { onSecret: (secret: string, id: string) => void }) {
  const [opened, { open, close }] = useDisclosure(false);
  const [formError, setFormError] = useState<unknown>(null);
  const qc = useQueryClient();
  const form = useForm({ initialValues: { url: '', description: '', eventTypes: [] as string[], includeNotes: false } });
  const create = useMutation({
    mutationFn: (v: typeof form.values) =>
      unwrap(api.POST('/api/v1/webhook-endpoints', { body: { ...v, enabled: true, eventTypes: v.eventTypes as Schemas['CreateWebhookEndpointDto']['eventTypes'] } })),
    onMutate: () => setFormError(null),
    onSuccess: async (created) => {
      await qc.invalidateQueries({ queryKey: ['webhook-endpoints'] });
      form.reset();
      close();
      onSecret(created.secret, created.id);
    },
    onError: (e) => setFormError(showApiErrors(form, e)),
  });
  return (
    <>
      <Button onClick={open}>New endpoint</Button>
      <Modal opened={opened} onClose={close} title="New webhook endpoint" size="lg">
        <form onSubmit={form.onSubmit((v) => create.mutate(v))} noValidate>
          <Stack>
            <ErrorAlert error={formError} />
            <TextInput label="URL" placeholder="https://example.com/hooks/cx" {...form.getInputProps('url')} data-autofocus />
            <TextInput label="Description" {...form.getInputProps('description')} />
            <MultiSelect label="Event types" description="None selected: every event type" data={EVENT_TYPES} searchable clearable {...form.getInputProps('eventTypes')} />
            <Checkbox label="Include private notes in message.created" {...form.getInputProps('includeNotes', { type: 'checkbox' })} />
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" loading={create.isPending}>
                Create endpoint
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}

function status(e: Endpoint) {
  if (e.enabled) return e.failingSince ? <Badge color="orange" variant="light">failing</Badge> : <Badge color="green" variant="light">enabled</Badge>;
  return <Badge color={e.disabledReason ? 'red' : 'gray'}>{e.disabledReason ? 'disabled by the product' : 'disabled'}</Badge>;
}

/** The account's outgoing webhook endpoints (administrators). */
export default function WebhooksPage() {
  const navigate = useNavigate();
  const [secret, setSecret] = useState<{ secret: string; id: string } | null>(null);
  const endpoints = useQuery({ queryKey: ['webhook-endpoints'], queryFn: () => unwrap(api.GET('/api/v1/webhook-endpoints')) });
  return (
    <>
      <PageHeader
        title="Webhooks"
        description="Events sent to your systems, signed as Standard Webhooks and retried for a day."
        actions={<CreateEndpointButton onSecret={(s, id) => setSecret({ secret: s, id })} />}
      />
      <SecretModal
        secret={secret?.secret ?? null}
        onClose={() => {
          const id = secret?.id;
          setSecret(null);
          if (id) void navigate(`/outgoing-webhooks/${id}`);
        }}
      />
      <ErrorAlert error={endpoints.error} />
      {endpoints.isPending ? (
        <Loading label="Loading endpoints" />
      ) : !endpoints.data?.length ? (
        <EmptyState title="No endpoints">Add an endpoint to receive conversation, message, contact and campaign events.</EmptyState>
      ) : (
        <Table.ScrollContainer minWidth={640}>
          <Table aria-label="Webhook endpoints" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Endpoint</Table.Th>
                <Table.Th>Events</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Last success</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {endpoints.data.map((e) => (
                <Table.Tr key={e.id}>
                  <Table.Td maw={360}>
                    <Anchor component={Link} to={`/outgoing-webhooks/${e.id}`} size="sm" fw={500} style={{ wordBreak: 'break-all' }}>
                      {e.url}
                    </Anchor>
                    {e.description && (
                      <Text size="xs" c="dimmed">
                        {e.description}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{e.eventTypes.length === 0 ? 'All events' : `${e.eventTypes.length} type${e.eventTypes.length === 1 ? '' : 's'}`}</Text>
                  </Table.Td>
                  <Table.Td>{status(e)}</Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatTime(e.lastSuccessAt)}</Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </>
  );
}
