import { Alert, Badge, Button, Code, Group, Paper, ScrollArea, Select, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useDebouncedValue } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, ApiError, unwrap, type Schemas } from '../../api/client';
import { showApiErrors } from '../../api/form-errors';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { SecretModal } from '../webhooks/SecretModal';
import { ConnectorFields } from './ConnectorForm';
import { WriteBackAttempts } from './ContactCrmSection';
import { connectorBody, type ConnectorFormValues, EMPTY_CONNECTOR, formatTime, OUTCOME_COLOR } from './model';

type Connector = Schemas['CrmConnectorView'];

const valuesOf = (c: Connector): ConnectorFormValues => ({
  ...EMPTY_CONNECTOR,
  name: c.name,
  enabled: c.enabled,
  lookupAttribute: c.lookupAttribute,
  lookupUrl: c.lookupUrl,
  headers: '',
  timeoutMs: c.timeoutMs,
  cacheTtlSeconds: c.cacheTtlSeconds,
  maxConcurrentLookups: c.maxConcurrentLookups,
  externalIdPointer: c.externalIdPointer,
  mapping: c.mapping.length ? c.mapping : [{ pointer: '', attribute: '' }],
  lookupOnContactCreated: c.lookupOnContactCreated,
  lookupOnConversationStarted: c.lookupOnConversationStarted,
  writeBackEnabled: c.writeBackEnabled,
  writeBackUrl: c.writeBackUrl ?? '',
});

function EditForm({ connector, onSecret }: { connector: Connector; onSecret: (s: string) => void }) {
  const qc = useQueryClient();
  const [formError, setFormError] = useState<unknown>(null);
  const form = useForm({ initialValues: valuesOf(connector) });
  useEffect(() => {
    form.setValues(valuesOf(connector));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [connector.updatedAt]);
  const save = useMutation({
    mutationFn: (v: ConnectorFormValues) => unwrap(api.PATCH('/api/v1/crm-connectors/{id}', { params: { path: { id: connector.id } }, body: connectorBody(v, { replaceHeaders: false }) })),
    onMutate: () => setFormError(null),
    onSuccess: async (saved) => {
      qc.setQueryData(['crm-connector', connector.id], saved);
      await qc.invalidateQueries({ queryKey: ['crm-connectors'] });
      if (saved.writeBackSecret) onSecret(saved.writeBackSecret);
    },
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
          {save.isSuccess && !save.isPending && <Alert color="green">Saved.</Alert>}
          <ConnectorFields form={form} headerNames={connector.headerNames} />
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

/** "Test with this contact": pick a contact, see the raw request and answer and what the mapping makes of it. */
function TestWithContact({ connectorId }: { connectorId: string }) {
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const [contactId, setContactId] = useState<string | null>(null);
  const contacts = useQuery({
    queryKey: ['contacts', 'crm-test', q],
    queryFn: () => unwrap(api.GET('/api/v1/contacts', { params: { query: { ...(q ? { q } : {}), limit: 20 } } })),
  });
  const options = (contacts.data?.items ?? []).map((c) => ({ value: c.id, label: [c.name, c.email ?? c.phone].filter(Boolean).join(' · ') || c.id }));
  const run = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/crm-connectors/{id}/test', { params: { path: { id: connectorId } }, body: { contactId: contactId! } })),
  });
  const r = run.data;
  return (
    <Paper withBorder p="md" component="section" aria-label="Test with a contact">
      <Stack>
        <Title order={2} size="h4">
          Test with a contact
        </Title>
        <Text size="sm" c="dimmed">
          Runs the lookup for one contact and shows the raw request and answer. Nothing is changed on the contact.
        </Text>
        <Group align="flex-end" wrap="wrap">
          <Select
            label="Contact"
            placeholder="Search by name, email or phone"
            searchable
            searchValue={search}
            onSearchChange={setSearch}
            filter={({ options: o }) => o}
            data={options}
            value={contactId}
            onChange={setContactId}
            w={360}
          />
          <Button onClick={() => run.mutate()} disabled={!contactId} loading={run.isPending}>
            Run test
          </Button>
        </Group>
        <ErrorAlert error={run.error} />
        {r && (
          <Stack>
            <Group gap="xs">
              <Badge color={OUTCOME_COLOR[r.outcome]}>{r.outcome}</Badge>
              {r.externalId && <Text size="sm">External id {r.externalId}</Text>}
              {r.error && (
                <Text size="sm" c="red">
                  {r.error}
                </Text>
              )}
            </Group>
            <SimpleGrid cols={{ base: 1, md: 2 }}>
              <Stack gap={4}>
                <Text size="sm" fw={500}>
                  Request
                </Text>
                <Code block aria-label="Raw request" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
                  {r.request ? [`${r.request.method} ${r.request.url}`, ...Object.entries(r.request.headers).map(([k, v]) => `${k}: ${v}`)].join('\n') : 'No request was made.'}
                </Code>
              </Stack>
              <Stack gap={4}>
                <Text size="sm" fw={500}>
                  Answer
                </Text>
                <ScrollArea.Autosize mah={260}>
                  <Code block aria-label="Raw answer" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
                    {r.response ? `HTTP ${r.response.status} · ${r.response.durationMs} ms${r.response.contentType ? ` · ${r.response.contentType}` : ''}\n\n${r.response.body}` : 'No answer.'}
                  </Code>
                </ScrollArea.Autosize>
              </Stack>
            </SimpleGrid>
            {Object.keys(r.values).length > 0 && (
              <Table aria-label="Mapped values">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Attribute</Table.Th>
                    <Table.Th>Value from the CRM</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {Object.entries(r.values).map(([k, v]) => (
                    <Table.Tr key={k}>
                      <Table.Td>{k}</Table.Td>
                      <Table.Td>{v ?? '(none)'}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
            {r.problems.map((p) => (
              <Text key={p.attribute} size="sm" c="orange">
                {p.attribute}: {p.problem}
              </Text>
            ))}
          </Stack>
        )}
      </Stack>
    </Paper>
  );
}

const STATUS_COLOR: Record<string, string> = { pending: 'yellow', succeeded: 'green', failed: 'red' };

/** The connector's write-back log: each write-back's contact, values, Idempotency-Key, state and every attempt. */
function WriteBackLog({ connectorId }: { connectorId: string }) {
  const log = useQuery({
    queryKey: ['crm-connector', connectorId, 'write-backs'],
    queryFn: () => unwrap(api.GET('/api/v1/crm-connectors/{id}/write-backs', { params: { path: { id: connectorId }, query: { limit: 50 } } })),
  });
  return (
    <Paper withBorder p="md" component="section" aria-label="Write-back log">
      <Stack>
        <Group justify="space-between">
          <Title order={2} size="h4">
            Write-back log
          </Title>
          <Button size="xs" variant="default" onClick={() => void log.refetch()} loading={log.isFetching}>
            Reload
          </Button>
        </Group>
        {log.isPending ? (
          <Loading label="Loading write-backs" />
        ) : !log.data ? (
          <ErrorAlert error={log.error} />
        ) : log.data.writeBacks.length === 0 ? (
          <Text size="sm" c="dimmed">
            No write-back yet: changed CRM-managed values are sent when a conversation of the contact changes status.
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={600}>
            <Table aria-label="Write-backs" verticalSpacing="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Enqueued</Table.Th>
                  <Table.Th>Contact and values</Table.Th>
                  <Table.Th w={120}>State</Table.Th>
                  <Table.Th>Attempts</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {log.data.writeBacks.map((w) => (
                  <Table.Tr key={w.callId}>
                    <Table.Td>
                      <Text size="xs">{formatTime(w.enqueuedAt)}</Text>
                      <Text size="xs" c="dimmed">
                        Idempotency-Key <Code fz="xs">{w.idempotencyKey}</Code>
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="xs" component={Link} to={`/contacts/${w.contactId}`} td="underline">
                        Contact
                      </Text>
                      <Text size="xs" c="dimmed">
                        {Object.entries(w.attributes)
                          .map(([k, v]) => `${k} = ${v ?? '(cleared)'}`)
                          .join(', ')}
                      </Text>
                    </Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      <Badge size="sm" variant="light" color={STATUS_COLOR[w.status ?? ''] ?? 'gray'}>
                        {w.status ?? 'gone'}
                      </Badge>
                      {w.nextAttemptAt && (
                        <Text size="xs" c="dimmed">
                          next {formatTime(w.nextAttemptAt)}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <WriteBackAttempts attempts={w.attempts} label={`Attempts of write-back ${w.idempotencyKey}`} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
    </Paper>
  );
}

/** One connector: settings, write-back state and log, test with a contact. */
export default function CrmConnectorPage() {
  const { id = '' } = useParams();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [secret, setSecret] = useState<string | null>(null);
  const connector = useQuery({
    queryKey: ['crm-connector', id],
    queryFn: () => unwrap(api.GET('/api/v1/crm-connectors/{id}', { params: { path: { id } } })),
    retry: (n, e) => !(e instanceof ApiError && e.status < 500) && n < 2,
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/crm-connectors/{id}', { params: { path: { id } } })),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ['crm-connectors'] });
      void navigate('/crm-connectors');
    },
  });
  if (connector.isPending) return <Loading label="Loading connector" />;
  if (!connector.data) return <ErrorAlert error={connector.error} />;
  const c = connector.data;
  const wb = c.writeBack;
  return (
    <>
      <PageHeader
        title="CRM connector"
        description={c.name}
        actions={
          <ConfirmButton color="red" variant="light" title="Delete this connector?" message="Its links to contacts, call log and write-back endpoint go too; the attributes it filled stay." onConfirm={() => remove.mutateAsync()}>
            Delete
          </ConfirmButton>
        }
      />
      <SecretModal secret={secret} onClose={() => setSecret(null)} />
      <Stack>
        <ErrorAlert error={remove.error} />
        {wb && c.writeBackEnabled && (
          <Alert color={wb.enabled ? 'blue' : 'red'} title={wb.enabled ? 'Write-back on' : 'Write-back stopped'}>
            {wb.enabled
              ? `Changes go out through the webhooks pipeline (signed, retried, with an Idempotency-Key). Last success ${formatTime(wb.lastSuccessAt)}, last failure ${formatTime(wb.lastFailureAt)}.`
              : (wb.disabledReason ?? 'The write-back endpoint is disabled.')}
          </Alert>
        )}
        <EditForm connector={c} onSecret={setSecret} />
        <TestWithContact connectorId={c.id} />
        {wb && <WriteBackLog connectorId={c.id} />}
      </Stack>
    </>
  );
}
