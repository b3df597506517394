import { Anchor, Badge, Button, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, unwrap } from '../../api/client';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { formatDateTime, STATUS_COLOR, STATUS_LABEL, TYPE_LABEL } from './campaignUi';

export default function CampaignsPage() {
  const campaigns = useQuery({
    queryKey: ['campaigns'],
    queryFn: () => unwrap(api.GET('/api/v1/campaigns', { params: { query: { limit: 100 } } })),
    // Statuses of running campaigns change by themselves.
    refetchInterval: 5000,
  });
  const inboxes = useQuery({ queryKey: ['inboxes'], queryFn: () => unwrap(api.GET('/api/v1/inboxes')) });
  const inboxName = (id: string) => inboxes.data?.find((i) => i.id === id)?.name ?? '…';

  const newButton = (
    <Button component={Link} to="/campaigns/new">
      New campaign
    </Button>
  );
  return (
    <>
      <PageHeader title="Campaigns" description="Messages to an audience of contacts, with live progress." actions={newButton} />
      <ErrorAlert error={campaigns.error} />
      {campaigns.isPending ? (
        <Loading />
      ) : campaigns.data && campaigns.data.items.length === 0 ? (
        <EmptyState title="No campaigns yet">Create a campaign: pick an SMS inbox, an audience and a message, then start it.</EmptyState>
      ) : (
        <Table.ScrollContainer minWidth={640}>
          <Table striped highlightOnHover aria-label="Campaigns">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Inbox</Table.Th>
                <Table.Th>Type</Table.Th>
                <Table.Th ta="right">Audience</Table.Th>
                <Table.Th>Scheduled / started</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {campaigns.data?.items.map((c) => (
                <Table.Tr key={c.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/campaigns/${c.id}`}>
                      {c.name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <Badge color={STATUS_COLOR[c.status]} variant="light">
                      {STATUS_LABEL[c.status]}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{inboxName(c.inboxId)}</Table.Td>
                  <Table.Td>{TYPE_LABEL[c.type]}</Table.Td>
                  <Table.Td ta="right">{c.audienceCount.toLocaleString()}</Table.Td>
                  <Table.Td>
                    <Text size="sm">{c.startedAt ? formatDateTime(c.startedAt) : c.scheduledAt ? `at ${formatDateTime(c.scheduledAt)}` : '—'}</Text>
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
