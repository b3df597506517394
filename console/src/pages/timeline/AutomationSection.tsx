/**
 * Why automation rules did (not) fire on this conversation: each pass of the rules over an event or
 * a timer, newest first, every evaluated rule with its outcome, condition trace and actions
 * (GET /api/v1/conversations/:id/automation; managers of the inbox and administrators).
 */
import { Badge, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { ApiError, api, unwrap, type Schemas } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { Actions, ConditionTable, when } from './why';

const OUTCOME: Record<Schemas['RuleEvaluationView']['outcome'], { label: string; color: string }> = {
  fired: { label: 'fired', color: 'teal' },
  not_matched: { label: 'not matched', color: 'gray' },
  skipped: { label: 'skipped', color: 'yellow' },
};

function Evaluation({ e }: { e: Schemas['RuleEvaluationView'] }) {
  const outcome = OUTCOME[e.outcome];
  return (
    <Stack gap={4} component="li" aria-label={`Rule ${e.name}: ${outcome.label}`}>
      <Group gap="xs">
        <Text size="sm" fw={500}>
          {e.name} <Text span c="dimmed" size="xs">v{e.version}</Text>
        </Text>
        <Badge size="sm" variant="light" color={outcome.color}>
          {outcome.label}
        </Badge>
        {e.firing?.status === 'failed' && (
          <Badge size="sm" color="red">
            an action failed
          </Badge>
        )}
      </Group>
      {(e.skipped || e.explanation) && (
        <Text size="xs" c="dimmed">
          {e.skipped ?? e.explanation}
        </Text>
      )}
      {e.trace && <ConditionTable trace={e.trace} label={`Conditions of rule ${e.name}`} />}
      {e.actions.length > 0 && <Actions actions={e.actions} />}
    </Stack>
  );
}

export function AutomationSection({ conversationId }: { conversationId: string }) {
  const runs = useInfiniteQuery({
    queryKey: ['conversation-automation', conversationId],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => unwrap(api.GET('/api/v1/conversations/{id}/automation', { params: { path: { id: conversationId }, query: { cursor: pageParam, limit: 20 } } })),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    retry: (n, e) => !(e instanceof ApiError && e.status < 500) && n < 2,
  });

  let body;
  if (runs.isPending) body = <Loading label="Loading automation evaluations" />;
  else if (runs.isError && runs.error instanceof ApiError && runs.error.status === 403)
    body = (
      <Text size="sm" c="dimmed">
        The automation rules&apos; evaluations are shown to managers of the inbox and administrators.
      </Text>
    );
  else if (runs.isError) body = <ErrorAlert error={runs.error} />;
  else {
    const pages = runs.data.pages;
    const items = pages.flatMap((p) => p.items);
    body = (
      <Stack gap="sm">
        <Text size="sm">{pages[0]?.answer}</Text>
        {items.map((run) => (
          <Paper key={run.runId} withBorder radius="md" p="sm">
            <Group gap="xs" mb="xs">
              <Badge size="sm" variant="outline">
                {run.on.kind}
              </Badge>
              <Text size="sm" fw={500}>
                {run.on.description}
              </Text>
              <Text size="xs" c="dimmed">
                <time dateTime={run.at}>{when(run.at)}</time>
              </Text>
            </Group>
            {run.evaluations.length === 0 ? (
              <Text size="sm" c="dimmed">
                No rule&apos;s trigger matched this event.
              </Text>
            ) : (
              <Stack component="ul" gap="sm" p={0} m={0} style={{ listStyle: 'none' }}>
                {run.evaluations.map((e) => (
                  <Evaluation key={`${e.ruleId}:${e.version}`} e={e} />
                ))}
              </Stack>
            )}
          </Paper>
        ))}
        {runs.hasNextPage && (
          <Group justify="center">
            <Button variant="default" onClick={() => void runs.fetchNextPage()} loading={runs.isFetchingNextPage}>
              Load older evaluations
            </Button>
          </Group>
        )}
      </Stack>
    );
  }

  return (
    <section aria-labelledby="timeline-automation">
      <Title order={2} size="h4" id="timeline-automation" mb="sm">
        Automation rules
      </Title>
      {body}
    </section>
  );
}
