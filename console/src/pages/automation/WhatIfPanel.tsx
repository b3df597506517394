import { Alert, Badge, Button, Group, NumberInput, Progress, Select, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';

interface ActionSummary {
  type: string;
  firings: number;
  conversations: number;
  alreadySo: number;
  doneLater: number;
  customerWroteAfter: number;
  agentRepliedAfter: number;
  text: string;
}
interface RuleSummary {
  ruleId: string;
  name: string;
  conversations: number;
  firings: number;
  skipped: Record<string, number>;
  actions: ActionSummary[];
  text: string;
}
interface Replay {
  conversationId: string;
  firings: { name: string; trigger: { kind: string; type: string; at: string }; actions: { type: string; target: string | number | null; alreadySo: boolean | null; doneLater: { by: string } | null }[] }[];
  skipped: { reason: string }[];
  actual: { status: string | null; tags: string[]; assigneeId: string | null; customerMessages: number; agentReplies: number };
}

/** What-if: the draft replayed over the inbox's recorded conversations, side by side with what happened. */
export function WhatIfPanel({ draft, inboxId }: { draft: () => Record<string, unknown>; inboxId: string | null }) {
  const inboxes = useQuery({ queryKey: ['inboxes'], queryFn: () => unwrap(api.GET('/api/v1/inboxes')) });
  const [inbox, setInbox] = useState<string | null>(inboxId);
  const [last, setLast] = useState<number | string>(200);
  const [pages, setPages] = useState<Schemas['WhatIfView'][]>([]);
  const run = useMutation({
    mutationFn: (cursor?: string) =>
      unwrap(api.POST('/api/v1/automation-rules/what-if', { body: { inboxId: inbox ?? '', rules: [draft() as never], last: Number(last) || 200, limit: 50, ...(cursor ? { cursor } : {}) } })),
    onSuccess: (page, cursor) => setPages((prev) => (cursor ? [...prev, page] : [page])),
  });
  const first = pages[0];
  const summary = (first?.rules[0] ?? null) as unknown as RuleSummary | null;
  const results = pages.flatMap((p) => p.results as unknown as Replay[]);
  const lastPage = pages[pages.length - 1];
  return (
    <Stack gap="sm">
      <Text size="sm" c="dimmed">
        Replays the rule as it is in the form over the recorded events of the inbox&apos;s last conversations, against the facts recorded then. Nothing changes.
      </Text>
      <Group align="flex-end" wrap="wrap">
        <Select label="Inbox to replay" style={{ minWidth: 220 }} data={(inboxes.data ?? []).map((i) => ({ value: i.id, label: i.name }))} value={inbox ?? inboxId} onChange={setInbox} />
        <NumberInput label="Last N conversations" min={1} max={10000} value={last} onChange={setLast} style={{ width: 180 }} />
        <Button type="button" onClick={() => run.mutate(undefined)} loading={run.isPending && pages.length === 0} disabled={!(inbox ?? inboxId)}>
          Run what-if
        </Button>
      </Group>
      {run.isPending && (
        <Stack gap={4}>
          <Progress value={100} striped animated aria-label="What-if running" />
          <Text size="xs" c="dimmed">
            Replaying recorded events…
          </Text>
        </Stack>
      )}
      <ErrorAlert error={run.error} />
      {first && summary && (
        <Stack gap="sm" role="region" aria-label="What-if result">
          <Alert color="blue" title={`Would have hit ${summary.conversations} of ${first.conversations} conversations`}>
            <Text size="sm">{summary.text}</Text>
            {first.truncated && <Text size="sm">Truncated: {first.truncatedReason}</Text>}
          </Alert>
          <SimpleGrid cols={{ base: 2, sm: 4 }}>
            {[
              ['Conversations replayed', first.conversations],
              ['Events replayed', first.eventsReplayed],
              ['Would hit', summary.conversations],
              ['Firings', summary.firings],
            ].map(([k, v]) => (
              <div key={k as string}>
                <Text size="xs" c="dimmed">
                  {k}
                </Text>
                <Text fw={700}>{v}</Text>
              </div>
            ))}
          </SimpleGrid>
          <Table.ScrollContainer minWidth={600}>
            <Table withTableBorder fz="sm" aria-label="Actions matrix">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Action</Table.Th>
                  <Table.Th>Firings</Table.Th>
                  <Table.Th>Conversations</Table.Th>
                  <Table.Th>Already so</Table.Th>
                  <Table.Th>Done later anyway</Table.Th>
                  <Table.Th>Customer wrote after</Table.Th>
                  <Table.Th>Agent replied after</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {summary.actions.map((a, i) => (
                  <Table.Tr key={i}>
                    <Table.Td>{a.text || a.type}</Table.Td>
                    <Table.Td>{a.firings}</Table.Td>
                    <Table.Td>{a.conversations}</Table.Td>
                    <Table.Td>{a.alreadySo}</Table.Td>
                    <Table.Td>{a.doneLater}</Table.Td>
                    <Table.Td>{a.customerWroteAfter}</Table.Td>
                    <Table.Td>{a.agentRepliedAfter}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Table.ScrollContainer minWidth={640}>
            <Table striped withTableBorder fz="sm" aria-label="Side by side">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Conversation</Table.Th>
                  <Table.Th>What happened</Table.Th>
                  <Table.Th>What the draft would do</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {results.map((r) => (
                  <Table.Tr key={r.conversationId}>
                    <Table.Td>
                      <Link to={`/conversations/${r.conversationId}`}>{r.conversationId.slice(0, 8)}</Link>
                    </Table.Td>
                    <Table.Td>
                      {r.actual.status ?? '?'}
                      {r.actual.tags.length > 0 && ` · tags ${r.actual.tags.join(', ')}`} · {r.actual.assigneeId ? 'assigned' : 'unassigned'} · {r.actual.customerMessages} in / {r.actual.agentReplies} replies
                    </Table.Td>
                    <Table.Td>
                      {r.firings.length === 0 ? (
                        <Text size="sm" c="dimmed">
                          nothing
                        </Text>
                      ) : (
                        r.firings.map((f, i) => (
                          <div key={i}>
                            <Badge size="xs" variant="light" mr={4}>
                              {f.trigger.type}
                            </Badge>
                            {f.actions.map((a) => `${a.type}${a.target !== null ? ` ${a.target}` : ''}${a.alreadySo ? ' (already so)' : ''}`).join(', ')}
                          </div>
                        ))
                      )}
                      {r.skipped.length > 0 && <Text size="xs" c="dimmed">skipped: {r.skipped.map((s) => s.reason).join(', ')}</Text>}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {lastPage?.nextCursor && (
            <Button type="button" variant="default" onClick={() => run.mutate(lastPage.nextCursor!)} loading={run.isPending}>
              More conversations
            </Button>
          )}
        </Stack>
      )}
    </Stack>
  );
}
