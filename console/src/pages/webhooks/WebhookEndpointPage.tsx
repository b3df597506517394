import { Alert, Badge, Button, Checkbox, Code, Group, Modal, MultiSelect, Paper, ScrollArea, Select, Stack, Switch, Table, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { api, ApiError, unwrap, type Schemas } from '../../api/client';
import { showApiErrors } from '../../api/form-errors';
import { ConfirmButton } from '../../components/ConfirmButton';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { EVENT_TYPES, formatTime } from './model';
import { SecretModal } from './SecretModal';

type Delivery = Schemas['WebhookDeliveryView'];
type Endpoint = Schemas['WebhookEndpointView'];

const STATUS_COLOR: Record<string, string> = { pending: 'blue', succeeded: 'green', failed: 'red' };

function EditForm({ endpoint }: { endpoint: Endpoint }) {
  const qc = useQueryClient();
  const [formError, setFormError] = useState<unknown>(null);
  const form = useForm({ initialValues: { url: '', description: '', eventTypes: [] as string[], includeNotes: false, enabled: true } });
  useEffect(() => {
    form.setValues({ url: endpoint.url, description: endpoint.description, eventTypes: endpoint.eventTypes, includeNotes: endpoint.includeNotes, enabled: endpoint.enabled });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [endpoint.updatedAt]);
  const save = useMutation({
    mutationFn: (v: typeof form.values) =>
      unwrap(api.PATCH('/api/v1/webhook-endpoints/{id}', { params: { path: { id: endpoint.id } }, body: { ...v, eventTypes: v.eventTypes as Schemas['UpdateWebhookEndpointDto']['eventTypes'] } })),
    onMutate: () => setFormError(null),
    onSuccess: () => Promise.all([qc.invalidateQueries({ queryKey: ['webhook-endpoint', endpoint.id] }), qc.invalidateQueries({ queryKey: ['webhook-endpoints'] })]),
    onError: (e) => setFormError(showApiErrors(form, e)),
  });
  return (
    <Paper withBorder p="md">
      <form onSubmit={form.onSubmit((v) => save.mutate(v))} noValidate>
        <Stack>
          <Title order={2} size="h4">
            Settings
          </Title>
          <ErrorAlert error={formError} />
          <TextInput label="URL" {...form.getInputProps('url')} />
          <TextInput label="Description" {...form.getInputProps('description')} />
          <MultiSelect label="Event types" description="None selected: every event type" data={EVENT_TYPES} searchable clearable {...form.getInputProps('eventTypes')} />
          <Checkbox label="Include private notes in message.created" {...form.getInputProps('includeNotes', { type: 'checkbox' })} />
          <Switch label="Enabled" description="Enabling resumes the pending deliveries" {...form.getInputProps('enabled', { type: 'checkbox' })} />
          <Group justify="flex-end">
            <Button type="submit" loading={save.isPending}>
              Save
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

function DeliveryModal({ endpointId, deliveryId, onClose }: { endpointId: string; deliveryId: string | null; onClose: () => void }) {
  const qc = useQueryClient();
  const detail = useQuery({
    queryKey: ['webhook-delivery', endpointId, deliveryId],
    enabled: deliveryId !== null,
    queryFn: () => unwrap(api.GET('/api/v1/webhook-endpoints/{id}/deliveries/{deliveryId}', { params: { path: { id: endpointId, deliveryId: deliveryId! } } })),
  });
  const redeliver = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/webhook-endpoints/{id}/deliveries/{deliveryId}/redeliver', { params: { path: { id: endpointId, deliveryId: deliveryId! } } })),
    onSuccess: () => Promise.all([qc.invalidateQueries({ queryKey: ['webhook-deliveries', endpointId] }), qc.invalidateQueries({ queryKey: ['webhook-delivery', endpointId, deliveryId] })]),
  });
  const d = detail.data;
  return (
    <Modal opened={deliveryId !== null} onClose={onClose} title={d ? `${d.eventType} · ${d.messageId}` : 'Delivery'} size="xl">
      <ErrorAlert error={detail.error ?? redeliver.error} />
      {!d ? (
        <Loading label="Loading delivery" />
      ) : (
        <Stack>
          <Group justify="space-between">
            <Group gap="xs">
              <Badge color={STATUS_COLOR[d.status]}>{d.status}</Badge>
              {d.sequence !== null && <Text size="sm">sequence {d.sequence}</Text>}
              {d.nextAttemptAt && <Text size="sm">next attempt {formatTime(d.nextAttemptAt)}</Text>}
            </Group>
            <Button size="xs" onClick={() => redeliver.mutate()} loading={redeliver.isPending}>
              Redeliver
            </Button>
          </Group>
          {redeliver.isSuccess && <Alert color="blue">Scheduled again; it is sent within seconds with the same webhook-id.</Alert>}
          <Table.ScrollContainer minWidth={560}>
            <Table aria-label="Attempts">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Time</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Duration</Table.Th>
                  <Table.Th>Answer or error</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {d.attemptLog.map((a) => (
                  <Table.Tr key={a.id}>
                    <Table.Td>
                      <Text size="sm">{formatTime(a.attemptedAt)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Badge color={a.succeeded ? 'green' : 'red'} variant="light">
                        {a.statusCode ?? 'no answer'}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{a.durationMs} ms</Text>
                    </Table.Td>
                    <Table.Td maw={320}>
                      <Text size="xs" style={{ wordBreak: 'break-all' }} lineClamp={3}>
                        {a.error ?? a.responseExcerpt ?? ''}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Text size="sm" fw={500}>
            Body as sent
          </Text>
          <ScrollArea.Autosize mah={240}>
            <Code block>{JSON.stringify(JSON.parse(d.body), null, 2)}</Code>
          </ScrollArea.Autosize>
        </Stack>
      )}
    </Modal>
  );
}

function RedeliverRange({ endpointId }: { endpointId: string }) {
  const qc = useQueryClient();
  const [formError, setFormError] = useState<unknown>(null);
  const local = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  const form = useForm({ initialValues: { from: local(new Date(Date.now() - 86_400_000)), to: local(new Date(Date.now() + 60_000)) } });
  const run = useMutation({
    mutationFn: (v: typeof form.values) =>
      unwrap(api.POST('/api/v1/webhook-endpoints/{id}/redeliver-failed', { params: { path: { id: endpointId } }, body: { from: new Date(v.from).toISOString(), to: new Date(v.to).toISOString() } })),
    onMutate: () => setFormError(null),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['webhook-deliveries', endpointId] }),
    onError: (e) => setFormError(showApiErrors(form, e)),
  });
  return (
    <form onSubmit={form.onSubmit((v) => run.mutate(v))} noValidate>
      <Group align="flex-end" gap="sm" wrap="wrap">
        <TextInput type="datetime-local" label="Failed from" {...form.getInputProps('from')} />
        <TextInput type="datetime-local" label="to" {...form.getInputProps('to')} />
        <Button type="submit" variant="default" loading={run.isPending}>
          Redeliver failed
        </Button>
        {run.data && <Text size="sm">{run.data.scheduled} scheduled again</Text>}
      </Group>
      <ErrorAlert error={formError} />
    </form>
  );
}

function Deliveries({ endpointId }: { endpointId: string }) {
  const [status, setStatus] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const deliveries = useQuery({
    queryKey: ['webhook-deliveries', endpointId, status],
    queryFn: () =>
      unwrap(api.GET('/api/v1/webhook-endpoints/{id}/deliveries', { params: { path: { id: endpointId }, query: status ? { status: status as Delivery['status'] } : {} } })),
    refetchInterval: 3000,
  });
  return (
    <Paper withBorder p="md">
      <Stack>
        <Group justify="space-between" wrap="wrap">
          <Title order={2} size="h4">
            Deliveries
          </Title>
          <Select
            aria-label="Delivery status"
            size="xs"
            w={160}
            placeholder="Every status"
            clearable
            value={status}
            onChange={setStatus}
            data={[
              { value: 'pending', label: 'Pending' },
              { value: 'succeeded', label: 'Succeeded' },
              { value: 'failed', label: 'Failed' },
            ]}
          />
        </Group>
        <RedeliverRange endpointId={endpointId} />
        <ErrorAlert error={deliveries.error} />
        {deliveries.isPending ? (
          <Loading label="Loading deliveries" />
        ) : !deliveries.data?.deliveries.length ? (
          <EmptyState title="No deliveries">Events the endpoint takes appear here; send a test event to try it.</EmptyState>
        ) : (
          <Table.ScrollContainer minWidth={600}>
            <Table aria-label="Deliveries" striped highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Created</Table.Th>
                  <Table.Th>Event</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Attempts</Table.Th>
                  <Table.Th ta="right">Log</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {deliveries.data.deliveries.map((d) => (
                  <Table.Tr key={d.id}>
                    <Table.Td>
                      <Text size="sm">{formatTime(d.createdAt)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{d.eventType}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Badge color={STATUS_COLOR[d.status]} variant="light">
                        {d.status}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">
                        {d.attempts}
                        {d.lastStatusCode !== null ? ` · last ${d.lastStatusCode}` : ''}
                      </Text>
                    </Table.Td>
                    <Table.Td ta="right">
                      <Button size="compact-sm" variant="subtle" onClick={() => setOpen(d.id)} aria-label={`Attempts of delivery ${d.id}`}>
                        Attempts
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
      <DeliveryModal endpointId={endpointId} deliveryId={open} onClose={() => setOpen(null)} />
    </Paper>
  );
}

/** One endpoint: settings, secret rotation, test event, delivery log with attempts and redelivery. */
export default function WebhookEndpointPage() {
  const { id = '' } = useParams();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [secret, setSecret] = useState<string | null>(null);
  const endpoint = useQuery({
    queryKey: ['webhook-endpoint', id],
    queryFn: () => unwrap(api.GET('/api/v1/webhook-endpoints/{id}', { params: { path: { id } } })),
    retry: (n, e) => !(e instanceof ApiError && e.status < 500) && n < 2,
  });
  const test = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/webhook-endpoints/{id}/test', { params: { path: { id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['webhook-deliveries', id] }),
  });
  const rotate = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/webhook-endpoints/{id}/rotate-secret', { params: { path: { id } }, body: {} })),
    onSuccess: async (r) => {
      setSecret(r.secret);
      await qc.invalidateQueries({ queryKey: ['webhook-endpoint', id] });
    },
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/webhook-endpoints/{id}', { params: { path: { id } } })),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ['webhook-endpoints'] });
      void navigate('/outgoing-webhooks');
    },
  });
  if (endpoint.isPending) return <Loading label="Loading endpoint" />;
  if (!endpoint.data) return <ErrorAlert error={endpoint.error} />;
  const e = endpoint.data;
  return (
    <>
      <PageHeader
        title="Webhook endpoint"
        description={<span style={{ wordBreak: 'break-all' }}>{e.url}</span>}
        actions={
          <>
            <Button variant="default" onClick={() => test.mutate()} loading={test.isPending} disabled={!e.enabled}>
              Send test event
            </Button>
            <ConfirmButton
              variant="default"
              title="Rotate the signing secret?"
              message="A new secret is shown once. The current one keeps signing for a day (both signatures are sent), so your receiver can switch."
              onConfirm={() => rotate.mutateAsync()}
            >
              Rotate secret
            </ConfirmButton>
            <ConfirmButton color="red" variant="light" title="Delete this endpoint?" message="Its delivery log goes too. Pending deliveries are dropped." onConfirm={() => remove.mutateAsync()}>
              Delete
            </ConfirmButton>
          </>
        }
      />
      <SecretModal secret={secret} onClose={() => setSecret(null)} />
      <Stack>
        <ErrorAlert error={test.error ?? rotate.error ?? remove.error} />
        {test.isSuccess && <Alert color="blue">Test event {test.data.messageId} queued; it appears in the deliveries below.</Alert>}
        {!e.enabled && e.disabledReason && (
          <Alert color="red" title="Disabled by the product">
            {e.disabledReason}
          </Alert>
        )}
        {e.enabled && e.failingSince && (
          <Alert color="orange" title="Failing">
            Every attempt has failed since {formatTime(e.failingSince)}. The endpoint is disabled when this lasts too long.
          </Alert>
        )}
        {e.previousSecretExpiresAt && <Text size="sm">The previous secret also signs until {formatTime(e.previousSecretExpiresAt)}.</Text>}
        <EditForm endpoint={e} />
        <Deliveries endpointId={id} />
      </Stack>
    </>
  );
}
