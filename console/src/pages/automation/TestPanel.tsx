import { Alert, Badge, Button, Group, List, Select, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { TraceTable } from './Trace';

type Draft = Record<string, unknown>;

/** "Test on a conversation": the draft as it is in the form, on one conversation as it is now; nothing changes. */
export function TestPanel({ draft }: { draft: () => Draft }) {
  const [conversationId, setConversationId] = useState('');
  const recent = useQuery({ queryKey: ['conversations', 'recent'], queryFn: () => unwrap(api.GET('/api/v1/conversations', { params: { query: { limit: 10 } } })) });
  const test = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/automation-rules/test', { body: { rule: draft() as never, conversationId: conversationId.trim() } })),
  });
  const r = test.data;
  return (
    <Stack gap="sm">
      <Text size="sm" c="dimmed">
        Runs the rule as it is in the form (unsaved changes included) on a conversation as it is now: each condition&apos;s value and whether it held, and what each action would do. Nothing changes, nothing is sent.
      </Text>
      <Group align="flex-end" wrap="wrap">
        <Select
          label="Recent conversation"
          placeholder="Pick one"
          style={{ minWidth: 260 }}
          data={(recent.data?.items ?? []).map((c) => ({ value: c.id, label: `${c.contactName ?? 'Unknown'} · ${c.status} · ${c.id.slice(0, 8)}` }))}
          value={null}
          onChange={(v) => v && setConversationId(v)}
        />
        <TextInput label="Conversation id" style={{ flex: 1, minWidth: 260 }} value={conversationId} onChange={(e) => setConversationId(e.currentTarget.value)} />
        <Button type="button" onClick={() => test.mutate()} loading={test.isPending} disabled={!conversationId.trim()}>
          Run test
        </Button>
      </Group>
      <ErrorAlert error={test.error} />
      {r && (
        <Stack gap="sm" aria-label="Test result" role="region">
          <Alert color={r.wouldFire ? 'green' : 'gray'} title={r.wouldFire ? 'Would fire' : 'Would not fire'}>
            <Text size="sm">{r.verdict}</Text>
            <Text size="sm">{r.triggerExplanation}</Text>
            <Text size="sm">{r.explanation}</Text>
            {r.timer && <Text size="sm">Timer: {JSON.stringify(r.timer)}</Text>}
          </Alert>
          <Group gap="xs">
            <Badge color={r.inScope ? 'green' : 'red'} variant="light">
              {r.inScope ? 'in scope' : 'out of scope'}
            </Badge>
            <Badge color={r.triggerMatches ? 'green' : 'red'} variant="light">
              trigger {r.triggerMatches ? 'matches' : 'does not match'}
            </Badge>
            <Badge color={r.matched ? 'green' : 'red'} variant="light">
              conditions {r.matched ? 'hold' : 'do not hold'}
            </Badge>
          </Group>
          <TraceTable trace={r.trace} />
          <Text fw={600} size="sm">
            Actions it would take
          </Text>
          <List size="sm">
            {r.actions.map((a, i) => (
              <List.Item key={i}>
                {a.description}
                {!a.wouldChange && ' (changes nothing)'}
                {a.text && <Text size="xs" c="dimmed">“{a.text}”</Text>}
              </List.Item>
            ))}
          </List>
          {r.notes.length > 0 && (
            <List size="xs" c="dimmed">
              {r.notes.map((n) => (
                <List.Item key={n}>{n}</List.Item>
              ))}
            </List>
          )}
        </Stack>
      )}
    </Stack>
  );
}
