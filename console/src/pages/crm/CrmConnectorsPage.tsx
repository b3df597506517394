import { Anchor, Badge, Button, Group, Modal, Stack, Table, Text } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useDisclosure } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, unwrap } from '../../api/client';
import { showApiErrors } from '../../api/form-errors';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { SecretModal } from '../webhooks/SecretModal';
import { ConnectorFields } from './ConnectorForm';
import { connectorBody, EMPTY_CONNECTOR } from './model';

function CreateConnectorButton({ onCreated }: { onCreated: (id: string, secret?: string) => void }) {
  const [opened, { open, close }] = useDisclosure(false);
  const [formError, setFormError] = useState<unknown>(null);
  const qc = useQueryClient();
  const form = useForm({ initialValues: EMPTY_CONNECTOR });
  const create = useMutation({
    mutationFn: (v: typeof form.values) => unwrap(api.POST('/api/v1/crm-connectors', { body: connectorBody(v, { replaceHeaders: true }) })),
    onMutate: () => setFormError(null),
    onSuccess: async (created) => {
      await qc.invalidateQueries({ queryKey: ['crm-connectors'] });
      form.reset();
      close();
      onCreated(created.id, created.writeBackSecret);
    },
    onError: (e) => setFormError(showApiErrors(form, e)),
  });
  return (
    <>
      <Button onClick={open}>New connector</Button>
      <Modal opened={opened} onClose={close} title="New CRM connector" size="xl">
        <form onSubmit={form.onSubmit((v) => create.mutate(v))} noValidate>
          <Stack>
            <ErrorAlert error={formError} />
            <ConnectorFields form={form} />
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" loading={create.isPending}>
                Create connector
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}

/** The account's CRM connectors (administrators). */
export default function CrmConnectorsPage() {
  const navigate = useNavigate();
  const [created, setCreated] = useState<{ id: string; secret: string } | null>(null);
  const connectors = useQuery({ queryKey: ['crm-connectors'], queryFn: () => unwrap(api.GET('/api/v1/crm-connectors')) });
  return (
    <>
      <PageHeader
        title="CRM"
        description="Contact attributes filled from your CRM, and agents' changes written back."
        actions={
          <CreateConnectorButton
            onCreated={(id, secret) => {
              if (secret) setCreated({ id, secret });
              else void navigate(`/crm-connectors/${id}`);
            }}
          />
        }
      />
      <SecretModal
        secret={created?.secret ?? null}
        onClose={() => {
          const id = created?.id;
          setCreated(null);
          if (id) void navigate(`/crm-connectors/${id}`);
        }}
      />
      <ErrorAlert error={connectors.error} />
      {connectors.isPending ? (
        <Loading label="Loading connectors" />
      ) : !connectors.data?.length ? (
        <EmptyState title="No connectors">Add a connector to fill contact attributes from your CRM when contacts and conversations start.</EmptyState>
      ) : (
        <Table.ScrollContainer minWidth={640}>
          <Table aria-label="CRM connectors" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Connector</Table.Th>
                <Table.Th>Looks up by</Table.Th>
                <Table.Th>Manages</Table.Th>
                <Table.Th>Write-back</Table.Th>
                <Table.Th>Status</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {connectors.data.map((c) => (
                <Table.Tr key={c.id}>
                  <Table.Td maw={360}>
                    <Anchor component={Link} to={`/crm-connectors/${c.id}`} size="sm" fw={500}>
                      {c.name}
                    </Anchor>
                    <Text size="xs" c="dimmed" style={{ wordBreak: 'break-all' }}>
                      {c.lookupUrl}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{c.lookupAttribute}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{c.mapping.map((m) => m.attribute).join(', ') || '—'}</Text>
                  </Table.Td>
                  <Table.Td>{c.writeBackEnabled ? <Badge variant="light">on</Badge> : <Badge color="gray" variant="light">off</Badge>}</Table.Td>
                  <Table.Td>{c.enabled ? <Badge color="green" variant="light">enabled</Badge> : <Badge color="gray">disabled</Badge>}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </>
  );
}
