import { Badge, Button, Group, Stack, Table, Text } from '@mantine/core';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, unwrap } from '../../api/client';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';

const COLORS = { done: 'green', skipped: 'gray', failed: 'red', running: 'blue' } as const;

/** A rule's firing log: counts of the last 14 days and the last firings with their actions' outcomes. */
export function FiringLog({ ruleId }: { ruleId: string }) {
  const stats = useQuery({ queryKey: ['automation-rule', ruleId, 'stats'], queryFn: () => unwrap(api.GET('/api/v1/automation-rules/{id}/stats', { params: { path: { id: ruleId } } })) });
  const firings = useInfiniteQuery({
    queryKey: ['automation-rule', ruleId, 'firings'],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => unwrap(api.GET('/api/v1/automation-rules/{id}/firings', { params: { path: { id: ruleId }, query: { limit: 25, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (p) => p.nextCursor ?? undefined,
  });
  const items = firings.data?.pages.flatMap((p) => p.items) ?? [];
  const t = stats.data?.totals;
  return (
    <Stack gap="sm">
      <ErrorAlert error={stats.error ?? firings.error} />
      {t && (
        <Group gap="xs">
          <Text size="sm">Last {stats.data!.days} days:</Text>
          <Badge variant="light">{t.evaluations} evaluations</Badge>
          <Badge variant="light" color="teal">{t.matched} matched</Badge>
          <Badge variant="light" color="green">{t.firings} firings</Badge>
          <Badge variant="light" color="gray">{t.skipped} skipped by guards</Badge>
          <Badge variant="light" color="red">{t.failed} failed</Badge>
        </Group>
      )}
      {firings.isLoading ? (
        <Loading />
      ) : items.length === 0 ? (
        <EmptyState title="No firings yet">Enable the rule; each time it fires on a conversation it is listed here with its actions.</EmptyState>
      ) : (
        <Table.ScrollContainer minWidth={640}>
          <Table striped withTableBorder fz="sm" aria-label="Firing log">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Time</Table.Th>
                <Table.Th>Conversation</Table.Th>
                <Table.Th>On</Table.Th>
                <Table.Th>Version</Table.Th>
                <Table.Th>Actions</Table.Th>
                <Table.Th>Status</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((f) => (
                <Table.Tr key={f.id}>
                  <Table.Td>{new Date(f.at).toLocaleString()}</Table.Td>
                  <Table.Td>
                    <Link to={`/conversations/${f.conversationId}`}>{f.conversationId.slice(0, 8)}</Link>
                  </Table.Td>
                  <Table.Td>
                    {f.trigger}
                    {f.depth > 0 && ` (chain depth ${f.depth})`}
                  </Table.Td>
                  <Table.Td>{f.version}</Table.Td>
                  <Table.Td>
                    {f.actions.map((a, i) => (
                      <div key={i}>
                        <Badge size="xs" color={COLORS[a.outcome]} variant="light" mr={4}>
                          {a.outcome}
                        </Badge>
                        {a.type}: {a.detail}
                      </div>
                    ))}
                  </Table.Td>
                  <Table.Td>
                    <Badge color={COLORS[f.status]}>{f.status}</Badge>
                    {f.error && <Text size="xs" c="red">{f.error}</Text>}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {firings.hasNextPage && (
        <Button variant="default" onClick={() => firings.fetchNextPage()} loading={firings.isFetchingNextPage}>
          Older firings
        </Button>
      )}
    </Stack>
  );
}
