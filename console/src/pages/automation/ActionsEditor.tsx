import { ActionIcon, Button, Group, Paper, Select, Stack, Text, Textarea, TextInput } from '@mantine/core';
import type { UseFormReturnType } from '@mantine/form';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { ACTION_LABELS, newAction, PRIORITIES, type Catalog, type RuleFormValues } from './model';

type Form = UseFormReturnType<RuleFormValues>;

/** Pickers' data: users, teams, inboxes, saved replies (each empty when the caller may not list them). */
function usePickers(inboxId: string | null) {
  const users = useQuery({ queryKey: ['users'], queryFn: () => unwrap(api.GET('/api/v1/users')), retry: false });
  const teams = useQuery({ queryKey: ['teams'], queryFn: () => unwrap(api.GET('/api/v1/teams')), retry: false });
  const inboxes = useQuery({ queryKey: ['inboxes'], queryFn: () => unwrap(api.GET('/api/v1/inboxes')) });
  const replies = useQuery({
    queryKey: ['saved-replies', { inboxId }],
    queryFn: () => unwrap(api.GET('/api/v1/saved-replies', { params: { query: inboxId ? { inboxId } : {} } })),
  });
  return {
    users: (users.data ?? []).map((u) => ({ value: u.id, label: `${u.name} <${u.email}>` })),
    teams: (teams.data ?? []).map((t) => ({ value: t.id, label: t.name })),
    inboxes: (inboxes.data ?? []).map((i) => ({ value: i.id, label: `${i.name} (${i.channelType})` })),
    replies: (replies.data ?? []).map((r) => ({ value: r.id, label: `/${r.shortcut} (${r.scope})` })),
  };
}

export function ActionsEditor({ form, catalog }: { form: Form; catalog: Catalog }) {
  const pick = usePickers(form.values.inboxId);
  const actions = form.values.actions;
  const move = (i: number, d: number) => {
    const next = [...actions];
    [next[i], next[i + d]] = [next[i + d], next[i]];
    form.setFieldValue('actions', next);
  };
  return (
    <Stack gap="xs" role="group" aria-label="Actions">
      {typeof form.errors.actions === 'string' && (
        <Text c="red" size="xs" role="alert">
          {form.errors.actions}
        </Text>
      )}
      {actions.map((a, i) => {
        const p = `actions.${i}`;
        const n = i + 1;
        return (
          <Paper key={i} withBorder p="xs" radius="sm" role="group" aria-label={`Action ${n}`}>
            <Group align="flex-start" gap="xs" wrap="wrap">
              <Select
                label={`Action ${n}`}
                style={{ width: 260 }}
                data={catalog.actionTypes.map((t) => ({ value: t, label: ACTION_LABELS[t] ?? t }))}
                value={a.type}
                allowDeselect={false}
                error={form.errors[`${p}.type`]}
                onChange={(t) => t && form.setFieldValue(p, newAction(t))}
              />
              {a.type === 'assign_agent' && <Select label="Agent" searchable style={{ flex: 1, minWidth: 200 }} data={pick.users} {...form.getInputProps(`${p}.userId`)} />}
              {a.type === 'assign_team' && <Select label="Team" searchable style={{ flex: 1, minWidth: 200 }} data={pick.teams} {...form.getInputProps(`${p}.teamId`)} />}
              {(a.type === 'add_tag' || a.type === 'remove_tag') && <TextInput label="Tag" style={{ flex: 1, minWidth: 160 }} {...form.getInputProps(`${p}.tag`)} />}
              {a.type === 'set_priority' && (
                <Select
                  label="Priority"
                  data={PRIORITIES}
                  allowDeselect={false}
                  value={String(a.priority ?? 3)}
                  error={form.errors[`${p}.priority`]}
                  onChange={(v) => form.setFieldValue(`${p}.priority`, Number(v))}
                />
              )}
              {a.type === 'set_status' && <Select label="Status" data={['open', 'pending', 'resolved']} allowDeselect={false} {...form.getInputProps(`${p}.status`)} />}
              {a.type === 'send_saved_reply' && <Select label="Saved reply" searchable style={{ flex: 1, minWidth: 200 }} data={pick.replies} {...form.getInputProps(`${p}.savedReplyId`)} />}
              {a.type === 'move_to_inbox' && <Select label="Target inbox" style={{ flex: 1, minWidth: 200 }} data={pick.inboxes.filter((x) => x.value !== form.values.inboxId)} {...form.getInputProps(`${p}.inboxId`)} />}
              <Group gap={2} mt={24}>
                <ActionIcon variant="subtle" disabled={i === 0} onClick={() => move(i, -1)} aria-label={`Move action ${n} up`}>
                  ↑
                </ActionIcon>
                <ActionIcon variant="subtle" disabled={i === actions.length - 1} onClick={() => move(i, 1)} aria-label={`Move action ${n} down`}>
                  ↓
                </ActionIcon>
                <ActionIcon variant="subtle" color="red" onClick={() => form.removeListItem('actions', i)} aria-label={`Remove action ${n}`}>
                  ×
                </ActionIcon>
              </Group>
            </Group>
            {a.type === 'call_webhook' && (
              <Textarea
                mt="xs"
                label="Webhook payload (JSON)"
                description='A JSON object (at most 4 KB), sent as data.payload of the rule.fired event to the endpoints that take rule.fired, e.g. {"queue": "billing"}. Empty: no payload.'
                autosize
                minRows={3}
                styles={{ input: { fontFamily: 'monospace' } }}
                {...form.getInputProps(`${p}.payload`)}
              />
            )}
            {(a.type === 'send_message' || a.type === 'add_note') && (
              <Textarea
                mt="xs"
                label={a.type === 'add_note' ? 'Note template' : 'Message template'}
                description="Variables: {{contact.first_name}}, {{contact.name}}, {{agent.name}}, {{inbox.name}}, {{conversation.id}} … (GET /api/v1/variables)"
                autosize
                minRows={2}
                {...form.getInputProps(`${p}.content`)}
              />
            )}
          </Paper>
        );
      })}
      <Group>
        <Button size="compact-sm" variant="light" onClick={() => form.insertListItem('actions', newAction('add_tag'))}>
          + Action
        </Button>
      </Group>
    </Stack>
  );
}
