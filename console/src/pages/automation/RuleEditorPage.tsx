import { Anchor, Badge, Button, Checkbox, Group, MultiSelect, NumberInput, Paper, Select, Stack, Switch, Tabs, TagsInput, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { showApiErrors } from '../../api/form-errors';
import { useMe } from '../../auth/useMe';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { ActionsEditor } from './ActionsEditor';
import { ConditionGroup } from './ConditionTree';
import { FiringLog } from './FiringLog';
import { emptyRule, formToApi, ruleToForm, STATUSES, TRIGGER_LABELS, type Catalog, type Rule, type RuleFormValues } from './model';
import { TestPanel } from './TestPanel';
import { WhatIfPanel } from './WhatIfPanel';

export function useCatalog() {
  return useQuery({ queryKey: ['automation-catalog'], queryFn: () => unwrap(api.GET('/api/v1/automation-rules/catalog')), staleTime: 60_000 });
}

function TriggerEditor({ form, catalog }: { form: ReturnType<typeof useForm<RuleFormValues>>; catalog: Catalog }) {
  const event = form.values.trigger.event;
  const timeBased = (catalog.timeTriggers as string[]).includes(event);
  return (
    <Group align="flex-start" gap="sm" wrap="wrap">
      <Select
        label="When (trigger)"
        style={{ minWidth: 280 }}
        allowDeselect={false}
        data={[
          { group: 'Events', items: catalog.eventTriggers.map((t) => ({ value: t, label: TRIGGER_LABELS[t] ?? t })) },
          { group: 'Time-based (durable timers)', items: catalog.timeTriggers.map((t) => ({ value: t, label: TRIGGER_LABELS[t] ?? t })) },
        ]}
        value={event}
        error={form.errors['trigger.event'] ?? form.errors.trigger}
        onChange={(v) => {
          const next = v ?? event;
          form.setFieldValue('trigger', (catalog.timeTriggers as string[]).includes(next) ? { event: next, minutes: form.values.trigger.minutes ?? 30, ...(next === 'in_status' ? { status: 'pending' } : {}) } : { event: next });
        }}
      />
      {timeBased && (
        <NumberInput
          label="Minutes"
          description={`At least ${catalog.minTriggerMinutes} (fractions allowed)`}
          min={0}
          decimalScale={3}
          style={{ width: 160 }}
          {...form.getInputProps('trigger.minutes')}
        />
      )}
      {event === 'in_status' && <Select label="Status" data={STATUSES} allowDeselect={false} {...form.getInputProps('trigger.status')} />}
      {event === 'status_changed' && (
        <>
          <MultiSelect label="From status" placeholder="any" data={STATUSES} {...form.getInputProps('trigger.from')} value={form.values.trigger.from ?? []} />
          <MultiSelect label="To status" placeholder="any" data={STATUSES} {...form.getInputProps('trigger.to')} value={form.values.trigger.to ?? []} />
        </>
      )}
      {(event === 'tag_added' || event === 'tag_removed') && <TagsInput label="Only these tags" placeholder="any tag" {...form.getInputProps('trigger.tags')} value={form.values.trigger.tags ?? []} />}
    </Group>
  );
}

function Editor({ rule, catalog }: { rule: Rule | null; catalog: Catalog }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const form = useForm<RuleFormValues>({ initialValues: rule ? ruleToForm(rule) : emptyRule() });
  const meData = useMe().data;
  useEffect(() => {
    if (!rule && !form.values.inboxId && meData && !meData.isAdmin && meData.managedInboxIds[0]) form.setFieldValue('inboxId', meData.managedInboxIds[0]);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [meData]);
  const [formError, setFormError] = useState<unknown>(null);
  const inboxes = useQuery({ queryKey: ['inboxes'], queryFn: () => unwrap(api.GET('/api/v1/inboxes')) });
  const me = useMe();

  useEffect(() => {
    if (rule) form.setValues(ruleToForm(rule));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [rule?.id, rule?.version]);

  const save = useMutation({
    mutationFn: async (v: RuleFormValues) => {
      const body = formToApi(v, catalog);
      if (rule) return unwrap(api.PATCH('/api/v1/automation-rules/{id}', { params: { path: { id: rule.id } }, body: { ...body, enabled: v.enabled, expectedVersion: rule.version } }));
      return unwrap(api.POST('/api/v1/automation-rules', { body: { ...body, enabled: v.enabled } }));
    },
    onMutate: () => setFormError(null),
    onError: (e) => setFormError(showApiErrors(form, e)),
    onSuccess: async (saved) => {
      form.clearErrors();
      await queryClient.invalidateQueries({ queryKey: ['automation-rules'] });
      queryClient.setQueryData(['automation-rule', saved.id], saved);
      notifications.show({ message: `Saved "${saved.name}" (version ${saved.version})`, color: 'green' });
      if (!rule) navigate(`/automation/${saved.id}`, { replace: true });
    },
  });

  const isAdmin = me.data?.isAdmin ?? false;
  const managed = new Set(me.data?.managedInboxIds ?? []);
  const inboxData = [...(isAdmin ? [{ value: '', label: 'Every inbox (account-wide)' }] : []), ...(inboxes.data ?? []).filter((i) => isAdmin || managed.has(i.id)).map((i) => ({ value: i.id, label: i.name }))];

  return (
    <form onSubmit={form.onSubmit((v) => save.mutate(v))} noValidate>
      <Stack gap="md">
        <ErrorAlert error={formError} />
        <Group align="flex-start" gap="sm" wrap="wrap">
          <TextInput label="Name" required style={{ flex: 1, minWidth: 220 }} {...form.getInputProps('name')} />
          <Select
            label="Inbox"
            style={{ minWidth: 220 }}
            data={inboxData}
            value={form.values.inboxId ?? ''}
            error={form.errors.inboxId}
            onChange={(v) => form.setFieldValue('inboxId', v ? v : null)}
            allowDeselect={false}
          />
        </Group>
        <Textarea label="Description" autosize minRows={1} {...form.getInputProps('description')} />
        <Paper withBorder p="sm" radius="md">
          <Title order={2} size="h5" mb="xs">
            When
          </Title>
          <TriggerEditor form={form} catalog={catalog} />
        </Paper>
        <div>
          <Title order={2} size="h5" mb="xs">
            If
          </Title>
          <ConditionGroup form={form} catalog={catalog} path="conditions" label="" depth={1} />
        </div>
        <Paper withBorder p="sm" radius="md">
          <Title order={2} size="h5" mb="xs">
            Then
          </Title>
          <ActionsEditor form={form} catalog={catalog} />
        </Paper>
        <Group gap="lg" wrap="wrap">
          <Switch label="Enabled" {...form.getInputProps('enabled', { type: 'checkbox' })} />
          <Checkbox label="Stop processing later rules after this one fired" {...form.getInputProps('stopProcessing', { type: 'checkbox' })} />
          <Checkbox label="Allow chaining (events caused by rules may trigger it)" {...form.getInputProps('allowChaining', { type: 'checkbox' })} />
        </Group>
        <Group>
          <Button type="submit" loading={save.isPending}>
            {rule ? 'Save rule' : 'Create rule'}
          </Button>
          <Button variant="default" component={Link} to="/automation">
            Back to rules
          </Button>
        </Group>
      </Stack>
      <Tabs defaultValue="test" mt="xl" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="test">Test on a conversation</Tabs.Tab>
          <Tabs.Tab value="what-if">What-if</Tabs.Tab>
          {rule && <Tabs.Tab value="firings">Firing log</Tabs.Tab>}
        </Tabs.List>
        <Tabs.Panel value="test" pt="md">
          <TestPanel draft={() => formToApi(form.getValues(), catalog) as unknown as Record<string, unknown>} />
        </Tabs.Panel>
        <Tabs.Panel value="what-if" pt="md">
          <WhatIfPanel draft={() => ({ ...formToApi(form.getValues(), catalog), enabled: true })} inboxId={form.values.inboxId} />
        </Tabs.Panel>
        {rule && (
          <Tabs.Panel value="firings" pt="md">
            <FiringLog ruleId={rule.id} />
          </Tabs.Panel>
        )}
      </Tabs>
    </form>
  );
}

export default function RuleEditorPage() {
  const { id } = useParams();
  const catalog = useCatalog();
  const rule = useQuery({
    queryKey: ['automation-rule', id],
    queryFn: () => unwrap(api.GET('/api/v1/automation-rules/{id}', { params: { path: { id: id! } } })),
    enabled: !!id,
  });
  const r = rule.data ?? null;
  return (
    <>
      <PageHeader
        title={id ? (r ? `Rule: ${r.name}` : 'Rule') : 'New rule'}
        description={
          r ? (
            <Group gap="xs" component="span">
              <Badge variant="light">version {r.version}</Badge>
              <Badge color={r.enabled ? 'green' : 'gray'}>{r.enabled ? 'enabled' : 'disabled'}</Badge>
              {!r.canEdit && <Text span size="sm">Account-wide: only administrators may change it.</Text>}
            </Group>
          ) : (
            'Build the rule, test it on a conversation and over past conversations, then switch it on.'
          )
        }
        actions={
          <Anchor component={Link} to="/automation" size="sm">
            All rules
          </Anchor>
        }
      />
      <ErrorAlert error={catalog.error ?? rule.error} />
      {catalog.data && (!id || r) ? <Editor rule={r} catalog={catalog.data} /> : !catalog.error && !rule.error && <Loading />}
    </>
  );
}
