import { Badge, Button, Code, Group, List, Stack, Table, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { formatTime, OUTCOME_COLOR } from './model';
import { contactCrmKey, useContactCrm } from './useContactCrm';

/** One write-back attempt in words: when, the CRM's status (or our error), how long. */
export function attemptLine(a: Schemas['CrmWriteBackAttemptView']): string {
  const what = a.statusCode !== null ? `HTTP ${a.statusCode}` : 'no HTTP answer';
  return `${formatTime(a.at)} · ${what} · ${a.durationMs} ms${a.error ? ` · ${a.error}` : ''}`;
}

/** A write-back's attempts, oldest first. */
export function WriteBackAttempts({ attempts, label }: { attempts: Schemas['CrmWriteBackAttemptView'][]; label: string }) {
  if (attempts.length === 0) return <Text size="xs" c="dimmed">No attempt yet.</Text>;
  return (
    <List size="xs" spacing={2} aria-label={label}>
      {attempts.map((a, i) => (
        <List.Item key={i} c={a.succeeded ? undefined : 'red'}>
          {attemptLine(a)}
        </List.Item>
      ))}
    </List>
  );
}

/** On a contact's page: what the CRM connectors know of it, "Refresh", and its CRM call log. */
export function ContactCrmSection({ contactId }: { contactId: string }) {
  const qc = useQueryClient();
  const crm = useContactCrm(contactId);
  const refresh = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/contacts/{contactId}/crm/refresh', { params: { path: { contactId } } })),
    onSuccess: () => Promise.all([qc.invalidateQueries({ queryKey: contactCrmKey(contactId) }), qc.invalidateQueries({ queryKey: ['contact', contactId] })]),
  });
  if (crm.isPending) return <Loading label="Loading CRM" />;
  if (!crm.data) return <ErrorAlert error={crm.error} />;
  if (crm.data.connectors.length === 0 && crm.data.calls.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No CRM connector.
      </Text>
    );
  }
  return (
    <Stack gap="sm">
      <ErrorAlert error={refresh.error} />
      {crm.data.connectors.map((c) => (
        <Group key={c.connectorId} justify="space-between" wrap="wrap" gap="xs">
          <Stack gap={0}>
            <Text size="sm" fw={500}>
              {c.connectorName}
            </Text>
            <Text size="xs" c="dimmed">
              External id {c.externalId ?? '—'} · looked up {formatTime(c.fetchedAt)}
            </Text>
            <Text size="xs" c="dimmed">
              Manages {c.managedAttributes.join(', ') || 'nothing'}
              {c.writeBackEnabled ? ' (written back)' : ' (read-only for agents)'}
            </Text>
          </Stack>
        </Group>
      ))}
      <Group>
        <Button size="xs" variant="default" onClick={() => refresh.mutate()} loading={refresh.isPending}>
          Refresh from CRM
        </Button>
      </Group>
      <Table.ScrollContainer minWidth={300}>
        <Table aria-label="CRM calls">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Call</Table.Th>
              <Table.Th>Outcome</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {crm.data.calls.map((call) => (
              <Table.Tr key={call.id}>
                <Table.Td>
                  <Text size="xs">
                    {call.kind === 'write_back' ? 'write-back' : 'lookup'} · {call.reason.replace(/_/g, ' ')}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {formatTime(call.at)}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    <Badge size="sm" variant="light" color={OUTCOME_COLOR[call.outcome]}>
                      {call.kind === 'write_back' && call.deliveryStatus ? call.deliveryStatus : call.outcome}
                    </Badge>
                    {call.statusCode !== null && <Text size="xs">HTTP {call.statusCode}</Text>}
                    {call.deliveryAttempts !== null && <Text size="xs">{call.deliveryAttempts} attempt{call.deliveryAttempts === 1 ? '' : 's'}</Text>}
                  </Group>
                  {call.error && (
                    <Text size="xs" c="dimmed" lineClamp={2}>
                      {call.error}
                    </Text>
                  )}
                  {call.kind === 'write_back' && call.idempotencyKey && (
                    <Stack gap={2} mt={4}>
                      <Text size="xs" c="dimmed">
                        Idempotency-Key <Code fz="xs">{call.idempotencyKey}</Code>
                      </Text>
                      <WriteBackAttempts attempts={call.attempts ?? []} label={`Attempts of write-back ${call.idempotencyKey}`} />
                    </Stack>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}
