import { Anchor, Button, Group, Paper, Select, SimpleGrid, Stack, Switch, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { showApiErrors } from '../../api/form-errors';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';

type Account = Schemas['AccountView'];

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <Paper withBorder radius="md" p="md" component="section" aria-label={title}>
      <Title order={2} size="h5" mb="sm">
        {title}
      </Title>
      {children}
    </Paper>
  );
}

function timeZones(): string[] {
  const list = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return list.includes('UTC') ? list : ['UTC', ...list];
}

function values(a: Account) {
  const s = a.settings;
  return {
    name: a.name,
    companyName: a.companyName ?? '',
    address: a.address ?? '',
    email: a.email ?? '',
    phone: a.phone ?? '',
    settings: {
      allowMoveBetweenInboxes: s.allowMoveBetweenInboxes,
      companyNameInsertion: s.companyNameInsertion,
      messageAssistantEnabled: s.messageAssistantEnabled,
      matchingAttribute: (s.matchingAttribute ?? 'none') as 'email' | 'phone' | 'none',
      timezone: s.timezone ?? 'UTC',
      optOut: { enabled: s.optOut.enabled, confirmationText: s.optOut.confirmationText, helpText: s.optOut.helpText, resubscribeText: s.optOut.resubscribeText ?? '' },
    },
  };
}

function AccountForm({ account }: { account: Account }) {
  const qc = useQueryClient();
  const [formError, setFormError] = useState<unknown>(null);
  const form = useForm({ initialValues: values(account) });
  const zones = useMemo(timeZones, []);
  useEffect(() => {
    form.setValues(values(account));
    form.resetDirty(values(account));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [account]);
  const save = useMutation({
    mutationFn: (v: ReturnType<typeof values>) =>
      unwrap(
        api.PATCH('/api/v1/account', {
          body: {
            name: v.name,
            companyName: v.companyName || null,
            address: v.address || null,
            email: v.email || null,
            phone: v.phone || null,
            settings: { ...v.settings, matchingAttribute: v.settings.matchingAttribute === 'none' ? null : v.settings.matchingAttribute },
          },
        }),
      ),
    onMutate: () => setFormError(null),
    onSuccess: (a) => qc.setQueryData(['account'], a),
    onError: (e) => setFormError(showApiErrors(form, e)),
  });
  return (
    <form onSubmit={form.onSubmit((v) => save.mutate(v))} noValidate>
      <Stack>
        <ErrorAlert error={formError} />
        <Section title="Company">
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label="Account name" {...form.getInputProps('name')} />
            <TextInput label="Company name" description="Used in campaign messages when enabled" {...form.getInputProps('companyName')} />
            <TextInput label="Contact email" type="email" {...form.getInputProps('email')} />
            <TextInput label="Contact phone" {...form.getInputProps('phone')} />
          </SimpleGrid>
          <Textarea label="Address" mt="sm" autosize minRows={2} {...form.getInputProps('address')} />
        </Section>
        <Section title="Behaviour">
          <Stack gap="sm">
            <Switch label="Agents may move conversations to another inbox they belong to" {...form.getInputProps('settings.allowMoveBetweenInboxes', { type: 'checkbox' })} />
            <Switch label="Campaign messages may start with the company name" {...form.getInputProps('settings.companyNameInsertion', { type: 'checkbox' })} />
            <Switch label="Message Assistant (AI drafts)" {...form.getInputProps('settings.messageAssistantEnabled', { type: 'checkbox' })} />
            <Select
              label="Link a person's identities by"
              w={260}
              allowDeselect={false}
              data={[
                { value: 'none', label: 'Nothing (separate contacts)' },
                { value: 'email', label: 'Email' },
                { value: 'phone', label: 'Phone' },
              ]}
              {...form.getInputProps('settings.matchingAttribute')}
            />
            <Select
              label="Report time zone"
              description="Days, weeks and months of the reports are counted in this zone"
              w={320}
              searchable
              allowDeselect={false}
              data={zones}
              limit={200}
              nothingFoundMessage="No such time zone"
              {...form.getInputProps('settings.timezone')}
            />
          </Stack>
        </Section>
        <Section title="SMS keywords (STOP, HELP, START)">
          <Stack gap="sm">
            <Switch label="Answer the SMS keywords" {...form.getInputProps('settings.optOut.enabled', { type: 'checkbox' })} />
            <Textarea label="Answer to STOP" autosize {...form.getInputProps('settings.optOut.confirmationText')} />
            <Textarea label="Answer to HELP" autosize {...form.getInputProps('settings.optOut.helpText')} />
            <Textarea label="Answer to START" description="Empty: no answer" autosize {...form.getInputProps('settings.optOut.resubscribeText')} />
          </Stack>
        </Section>
        <Group>
          <Button type="submit" loading={save.isPending} disabled={!form.isDirty()}>
            Save settings
          </Button>
          {save.isSuccess && !form.isDirty() && (
            <Text size="sm" c="green" role="status">
              Saved
            </Text>
          )}
        </Group>
      </Stack>
    </form>
  );
}

function Variables({ account }: { account: Account }) {
  const qc = useQueryClient();
  const variables = useQuery({ queryKey: ['variables'], queryFn: () => unwrap(api.GET('/api/v1/variables')) });
  const [defaults, setDefaults] = useState<Record<string, string>>(account.settings.variableDefaults);
  useEffect(() => setDefaults(account.settings.variableDefaults), [account.settings.variableDefaults]);
  const save = useMutation({
    mutationFn: () =>
      unwrap(api.PATCH('/api/v1/account', { body: { settings: { variableDefaults: Object.fromEntries(Object.entries(defaults).filter(([, v]) => v.trim() !== '')) } } })),
    onSuccess: (a) => {
      qc.setQueryData(['account'], a);
      void qc.invalidateQueries({ queryKey: ['variables'] });
    },
  });
  return (
    <Section title="Variables">
      <Text size="sm" c="dimmed" mb="sm">
        Use them in saved replies and campaigns as {'{{name}}'}; the default fills in when a contact has no value. Contact variables come from the{' '}
        <Anchor component={Link} to="/contacts/attributes">
          contact attributes
        </Anchor>
        .
      </Text>
      <ErrorAlert error={variables.error ?? save.error} />
      {variables.isPending ? (
        <Loading label="Loading variables" />
      ) : (
        <Table.ScrollContainer minWidth={340}>
          <Table aria-label="Variables">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Variable</Table.Th>
                <Table.Th>Default</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(variables.data ?? []).map((v) => (
                <Table.Tr key={v.name}>
                  <Table.Td>
                    <Text size="sm" ff="monospace">{`{{${v.name}}}`}</Text>
                    <Text size="xs" c="dimmed">
                      {v.label}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <TextInput
                      size="xs"
                      aria-label={`Default of ${v.name}`}
                      value={defaults[v.name] ?? ''}
                      onChange={(e) => {
                        const value = e.currentTarget.value;
                        setDefaults((d) => ({ ...d, [v.name]: value }));
                      }}
                    />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <Button mt="sm" variant="default" onClick={() => save.mutate()} loading={save.isPending}>
        Save defaults
      </Button>
    </Section>
  );
}

/** Account details, behaviour switches, SMS keyword answers and variable defaults. */
export default function AccountSettingsPage() {
  const account = useQuery({ queryKey: ['account'], queryFn: () => unwrap(api.GET('/api/v1/account')) });
  return (
    <>
      <PageHeader title="Account settings" description="Company details, variables and contact attributes." />
      <ErrorAlert error={account.error} />
      {!account.data ? (
        !account.error && <Loading label="Loading account" />
      ) : (
        <Stack>
          <AccountForm account={account.data} />
          <Variables account={account.data} />
        </Stack>
      )}
    </>
  );
}
