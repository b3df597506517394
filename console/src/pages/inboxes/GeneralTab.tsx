import { Button, Divider, Group, NumberInput, Paper, SegmentedControl, Select, Stack, Switch, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { showApiErrors } from '../../api/form-errors';
import { ErrorAlert } from '../../components';
import { type Inbox, useUpdateInbox } from './useInbox';

function valuesOf(inbox: Inbox) {
  const s = inbox.settings;
  return {
    name: inbox.name,
    welcomeMessage: inbox.welcomeMessage ?? '',
    settings: {
      assignmentMode: s.assignmentMode,
      routing: {
        distribution: s.routing.distribution,
        capacityPerAgent: s.routing.capacityPerAgent as number | string,
        humanAgentsEnabled: s.routing.humanAgentsEnabled,
        aiAgentEnabled: s.routing.aiAgentEnabled,
      },
      autoUnassign: { enabled: s.autoUnassign.enabled, graceSeconds: s.autoUnassign.graceSeconds as number | string },
      csat: { enabled: s.csat.enabled, question: s.csat.question, delaySeconds: s.csat.delaySeconds as number | string },
    },
  };
}

/** A number input's value as the API gets it: a number, or the text as typed (the API names the problem). */
const num = (v: number | string) => (typeof v === 'number' ? v : v.trim() === '' ? (undefined as unknown as number) : Number(v));

/** Name, welcome message, assignment, distribution, capacity, auto-unassign and CSAT: one form, one PATCH. */
export function GeneralTab({ inbox }: { inbox: Inbox }) {
  const [formError, setFormError] = useState<unknown>(null);
  const form = useForm({ initialValues: valuesOf(inbox) });
  const save = useUpdateInbox(inbox.id, {
    onSuccess: (saved) => {
      form.setValues(valuesOf(saved));
      form.resetDirty(valuesOf(saved));
      notifications.show({ color: 'green', message: 'Settings saved' });
    },
    onError: (e) => setFormError(showApiErrors(form, e)),
  });
  const submit = form.onSubmit((v) => {
    setFormError(null);
    const s = v.settings;
    save.mutate({
      name: v.name,
      welcomeMessage: v.welcomeMessage.trim() ? v.welcomeMessage : null,
      settings: {
        assignmentMode: s.assignmentMode,
        routing: { ...s.routing, capacityPerAgent: num(s.routing.capacityPerAgent) },
        autoUnassign: { enabled: s.autoUnassign.enabled, graceSeconds: num(s.autoUnassign.graceSeconds) },
        csat: { enabled: s.csat.enabled, question: s.csat.question, delaySeconds: num(s.csat.delaySeconds) },
      },
    });
  });

  return (
    <form onSubmit={submit} noValidate>
      <Stack maw={720}>
        <ErrorAlert error={formError} />
        <Paper withBorder p="md" radius="md">
          <Stack>
            <Title order={2} size="h4">
              General
            </Title>
            <TextInput label="Inbox name" required {...form.getInputProps('name')} />
            <Textarea
              label="Welcome message"
              description="Sent once when a conversation starts; leave empty for none. Variables like {{contact.name}} are filled in."
              autosize
              minRows={2}
              {...form.getInputProps('welcomeMessage')}
            />
          </Stack>
        </Paper>

        <Paper withBorder p="md" radius="md">
          <Stack>
            <Title order={2} size="h4">
              Assignment and distribution
            </Title>
            <Stack gap={4}>
              <Text size="sm" fw={500} id="assignment-mode-label">
                Assignment mode
              </Text>
              <SegmentedControl
                aria-labelledby="assignment-mode-label"
                data={[
                  { value: 'assignment', label: 'Assigned agent replies' },
                  { value: 'open', label: 'Any member replies' },
                ]}
                {...form.getInputProps('settings.assignmentMode')}
              />
              <Text size="xs" c="dimmed">
                Assigned: only the agent holding a conversation replies. Open: every member replies, nobody is assigned.
              </Text>
            </Stack>
            <Switch label="Route conversations to human agents" {...form.getInputProps('settings.routing.humanAgentsEnabled', { type: 'checkbox' })} />
            <Switch label="Let the AI agent answer first" {...form.getInputProps('settings.routing.aiAgentEnabled', { type: 'checkbox' })} />
            <Select
              label="Distribution"
              description="How the next conversation picks among the agents who may take it"
              allowDeselect={false}
              data={[
                { value: 'least_load', label: 'Least load (fewest open conversations)' },
                { value: 'round_robin', label: 'Round robin' },
              ]}
              {...form.getInputProps('settings.routing.distribution')}
            />
            <NumberInput
              label="Capacity per agent"
              description="At most this many open conversations per agent (1-1000)"
              allowDecimal={false}
              clampBehavior="none"
              {...form.getInputProps('settings.routing.capacityPerAgent')}
            />
            <Divider />
            <Switch
              label="Unassign conversations when their agent logs out or goes offline"
              {...form.getInputProps('settings.autoUnassign.enabled', { type: 'checkbox' })}
            />
            <NumberInput
              label="Auto-unassign grace (seconds)"
              description="How long an agent may be offline before their conversations go back to the queue"
              allowDecimal={false}
              clampBehavior="none"
              disabled={!form.values.settings.autoUnassign.enabled}
              {...form.getInputProps('settings.autoUnassign.graceSeconds')}
            />
          </Stack>
        </Paper>

        <Paper withBorder p="md" radius="md">
          <Stack>
            <Title order={2} size="h4">
              Customer satisfaction (CSAT)
            </Title>
            <Switch label="Ask for a rating after resolving" {...form.getInputProps('settings.csat.enabled', { type: 'checkbox' })} />
            <Textarea label="CSAT question" autosize minRows={2} disabled={!form.values.settings.csat.enabled} {...form.getInputProps('settings.csat.question')} />
            <NumberInput
              label="CSAT delay (seconds)"
              description="Wait this long after resolving before the survey goes out (0 = right away)"
              allowDecimal={false}
              clampBehavior="none"
              disabled={!form.values.settings.csat.enabled}
              {...form.getInputProps('settings.csat.delaySeconds')}
            />
          </Stack>
        </Paper>
        <Group>
          <Button type="submit" loading={save.isPending}>
            Save settings
          </Button>
          {form.isDirty() && (
            <Text size="sm" c="dimmed">
              Unsaved changes
            </Text>
          )}
        </Group>
      </Stack>
    </form>
  );
}
