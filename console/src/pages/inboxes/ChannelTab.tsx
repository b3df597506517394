import { Alert, Badge, Button, Code, CopyButton, Group, List, NumberInput, Paper, PasswordInput, Stack, Switch, Table, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMediaQuery } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, ApiError, unwrap, type Schemas } from '../../api/client';
import { showApiErrors } from '../../api/form-errors';
import { ConfirmButton, ErrorAlert, Loading } from '../../components';
import type { Inbox } from './useInbox';

/** GET of a channel's settings: null when none are stored yet (the API's 404). */
async function orNull<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

function UrlRow({ label, url, help }: { label: string; url: string; help: string }) {
  return (
    <Stack gap={4}>
      <Text size="sm" fw={500}>
        {label}
      </Text>
      <Group gap="xs" wrap="nowrap" align="center">
        <Code style={{ flex: 1, overflowWrap: 'anywhere', whiteSpace: 'normal' }} aria-label={label}>
          {url}
        </Code>
        <CopyButton value={url}>
          {({ copied, copy }) => (
            <Button size="compact-sm" variant={copied ? 'filled' : 'light'} color={copied ? 'teal' : undefined} onClick={copy} aria-label={`Copy ${label}`}>
              {copied ? 'Copied' : 'Copy'}
            </Button>
          )}
        </CopyButton>
      </Group>
      <Text size="xs" c="dimmed">
        {help}
      </Text>
    </Stack>
  );
}

function SmsChannel({ inbox }: { inbox: Inbox }) {
  const qc = useQueryClient();
  const key = ['inbox', inbox.id, 'sms-channel'];
  const channel = useQuery({ queryKey: key, queryFn: () => orNull(unwrap(api.GET('/api/v1/inboxes/{id}/sms-channel', { params: { path: { id: inbox.id } } }))) });
  if (channel.isPending) return <Loading label="Loading the Twilio settings" />;
  if (channel.error) return <ErrorAlert error={channel.error} />;
  return <SmsForm inbox={inbox} channel={channel.data} onSaved={(c) => qc.setQueryData(key, c)} />;
}

function SmsForm({ inbox, channel, onSaved }: { inbox: Inbox; channel: Schemas['SmsChannelView'] | null; onSaved: (c: Schemas['SmsChannelView']) => void }) {
  const [formError, setFormError] = useState<unknown>(null);
  const form = useForm({
    initialValues: { accountSid: channel?.accountSid ?? '', authToken: '', fromNumber: channel?.fromNumber ?? '', messagingServiceSid: channel?.messagingServiceSid ?? '' },
  });
  const save = useMutation({
    mutationFn: (v: typeof form.values) =>
      unwrap(
        api.PUT('/api/v1/inboxes/{id}/sms-channel', {
          params: { path: { id: inbox.id } },
          body: {
            accountSid: v.accountSid.trim(),
            authToken: v.authToken.trim() || undefined,
            fromNumber: v.fromNumber.trim() || null,
            messagingServiceSid: v.messagingServiceSid.trim() || null,
          },
        }),
      ),
    onMutate: () => setFormError(null),
    onSuccess: (c) => {
      onSaved(c);
      form.setFieldValue('authToken', '');
      notifications.show({ color: 'green', message: 'Twilio settings saved' });
    },
    onError: (e) => setFormError(showApiErrors(form, e)),
  });
  return (
    <Stack maw={760}>
      <Paper withBorder p="md" radius="md">
        <Title order={2} size="h4" mb="sm">
          Webhook URLs for Twilio
        </Title>
        {channel ? (
          <Stack>
            <UrlRow label="Incoming message webhook" url={channel.inboundWebhookUrl} help="In Twilio: the phone number's (or messaging service's) “A message comes in” webhook, HTTP POST." />
            <UrlRow label="Status callback URL" url={channel.statusCallbackUrl} help="Sent with every outbound message as its StatusCallback (delivery receipts); paste it where Twilio asks for a status callback." />
          </Stack>
        ) : (
          <Text size="sm" c="dimmed">
            Save the Twilio settings below; the two URLs to paste into Twilio appear here.
          </Text>
        )}
      </Paper>
      <Paper withBorder p="md" radius="md">
        <form onSubmit={form.onSubmit((v) => save.mutate(v))} noValidate>
          <Stack>
            <Title order={2} size="h4">
              Twilio account
            </Title>
            <ErrorAlert error={formError} />
            <TextInput label="Account SID" placeholder="AC…" required {...form.getInputProps('accountSid')} />
            <PasswordInput
              label="Auth token"
              description={channel?.authTokenSet ? 'Stored (never shown). Leave empty to keep it; needed again when the Account SID changes.' : 'From the Twilio console; stored encrypted.'}
              required={!channel?.authTokenSet}
              {...form.getInputProps('authToken')}
            />
            <TextInput label="Sender number" description="E.164, e.g. +4915123456789; needed unless a messaging service is set" {...form.getInputProps('fromNumber')} />
            <TextInput label="Messaging service SID" description="Optional (MG…); when set, outbound messages go through it" {...form.getInputProps('messagingServiceSid')} />
            <Group>
              <Button type="submit" loading={save.isPending}>
                Save Twilio settings
              </Button>
            </Group>
          </Stack>
        </form>
      </Paper>
    </Stack>
  );
}

const IMAP_STEPS = ['dns', 'tcp', 'tls', 'greeting', 'auth', 'mailbox'] as const;
const SMTP_STEPS = ['dns', 'tcp', 'tls', 'greeting', 'auth'] as const;
const STEP_LABEL: Record<string, string> = { dns: 'DNS lookup', tcp: 'TCP connect', tls: 'TLS handshake', greeting: 'Server greeting', auth: 'Login', mailbox: 'Open the folder' };

function CheckResult({ title, check, steps, secure }: { title: string; check: Schemas['ConnectionCheckView']; steps: readonly string[]; secure: boolean }) {
  const failedAt = check.ok ? steps.length : Math.max(0, steps.indexOf(check.step ?? ''));
  return (
    <Paper withBorder p="sm" radius="md" style={{ flex: 1, minWidth: 260 }} role="region" aria-label={`${title} test`}>
      <Group justify="space-between" mb="xs">
        <Text fw={600}>{title}</Text>
        <Badge color={check.ok ? 'teal' : 'red'}>{check.ok ? 'OK' : 'Failed'}</Badge>
      </Group>
      <List spacing={4} size="sm" listStyleType="none">
        {steps.map((s, i) => {
          const state = s === 'tls' && !secure ? 'skipped (TLS off)' : i < failedAt ? 'passed' : i === failedAt ? 'failed' : 'not run';
          const mark = state === 'passed' ? '✓' : state === 'failed' ? '✗' : '–';
          return (
            <List.Item key={s} c={state === 'failed' ? 'red' : state === 'passed' ? 'teal' : 'dimmed'} aria-label={`${title} ${STEP_LABEL[s]}: ${state}`}>
              {mark} {STEP_LABEL[s]} — {state}
            </List.Item>
          );
        })}
      </List>
      <Text size="sm" mt="xs" c={check.ok ? undefined : 'red'}>
        {check.message}
      </Text>
    </Paper>
  );
}

const REFUSAL_LABEL: Record<string, { label: string; color: string }> = {
  unknown_recipient: { label: 'Unknown recipient', color: 'red' },
  too_large: { label: 'Too large', color: 'orange' },
  too_many_recipients: { label: 'Too many recipients', color: 'yellow' },
  temporary_failure: { label: 'Not stored (sender retries)', color: 'gray' },
};

function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

/** The inbox's forwarding address (works without IMAP settings), when mail last arrived through the ingress, and the refused mails. */
function EmailForwarding({ inbox }: { inbox: Inbox }) {
  const qc = useQueryClient();
  const key = ['inbox', inbox.id, 'email-forwarding'];
  const path = { params: { path: { id: inbox.id } } };
  const forwarding = useQuery({ queryKey: key, queryFn: () => unwrap(api.GET('/api/v1/inboxes/{id}/email-channel/forwarding', path)) });
  const regenerate = async () => {
    const view = await unwrap(api.POST('/api/v1/inboxes/{id}/email-channel/forwarding/regenerate', path));
    qc.setQueryData(key, view);
    void qc.invalidateQueries({ queryKey: ['inbox', inbox.id, 'email-channel'] });
    notifications.show({ color: 'green', message: 'New forwarding address created' });
  };
  const f = forwarding.data;
  const phone = useMediaQuery('(max-width: 36em)');
  return (
    <Paper withBorder p="md" radius="md" role="region" aria-label="Forwarding">
      <Group justify="space-between" mb="sm" wrap="wrap">
        <Title order={2} size="h4">
          Forwarding
        </Title>
        <Group gap="xs">
          <Button variant="default" size="compact-sm" onClick={() => void forwarding.refetch()} loading={forwarding.isFetching && !forwarding.isPending}>
            Refresh
          </Button>
          {f && (
            <ConfirmButton
              size="compact-sm"
              variant="light"
              color="orange"
              title="Replace the forwarding address?"
              message={`Mail sent to ${f.address} will be refused from now on. Change your forward rules (or MX alias) to the new address.`}
              confirmLabel="Replace address"
              onConfirm={regenerate}
            >
              Replace address
            </ConfirmButton>
          )}
        </Group>
      </Group>
      {forwarding.isPending ? (
        <Loading label="Loading the forwarding address" />
      ) : forwarding.error ? (
        <ErrorAlert error={forwarding.error} />
      ) : f ? (
        <Stack gap="sm">
          <UrlRow
            label="Forwarding address"
            url={f.address}
            help={`Forward mail to this address (a forward rule in your mail server or mail client, or an alias). It arrives through this product's SMTP ingress${
              f.ingressPort ? ` (port ${f.ingressPort})` : ' (off on this server: SMTP_INGRESS_PORT)'
            }, up to ${formatSize(f.maxBytes)} per mail, and is threaded like IMAP mail.`}
          />
          <Text size="sm" aria-label="Last mail arrived">
            {f.lastReceivedAt
              ? `Last mail arrived ${new Date(f.lastReceivedAt).toLocaleString()} (${f.receivedCount} ${f.receivedCount === 1 ? 'mail' : 'mails'} in total)`
              : 'No mail has arrived through forwarding yet.'}
          </Text>
          <Title order={3} size="h5">
            Refused mails
          </Title>
          {f.refusals.length === 0 ? (
            <Text size="sm" c="dimmed">
              None refused. Mails too large, sent to a replaced address or that could not be stored show here with the reason (the newest 50).
            </Text>
          ) : phone ? (
            <Stack component="ul" gap="xs" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Refused mails">
              {f.refusals.map((r, i) => (
                <Paper component="li" key={`${r.at}-${i}`} withBorder radius="sm" p="xs">
                  <Group justify="space-between" gap="xs" wrap="nowrap">
                    <Text size="sm" fw={600} c={REFUSAL_LABEL[r.reason]?.color ?? 'gray'}>
                      {REFUSAL_LABEL[r.reason]?.label ?? r.reason}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {new Date(r.at).toLocaleString()}
                    </Text>
                  </Group>
                  <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                    From {r.mailFrom ?? '<> (a bounce)'}
                    {r.size !== null ? `, ${formatSize(r.size)}` : ''}
                  </Text>
                  <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                    {r.response}
                  </Text>
                  <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
                    to {r.recipient}
                  </Text>
                </Paper>
              ))}
            </Stack>
          ) : (
            <Table.ScrollContainer minWidth={640}>
              <Table aria-label="Refused mails" striped>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>When</Table.Th>
                    <Table.Th>Reason</Table.Th>
                    <Table.Th>Sender</Table.Th>
                    <Table.Th>Answer given</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {f.refusals.map((r, i) => (
                    <Table.Tr key={`${r.at}-${i}`}>
                      <Table.Td style={{ whiteSpace: 'nowrap' }}>{new Date(r.at).toLocaleString()}</Table.Td>
                      <Table.Td>
                        <Text size="sm" fw={600} c={REFUSAL_LABEL[r.reason]?.color ?? 'gray'}>
                          {REFUSAL_LABEL[r.reason]?.label ?? r.reason}
                        </Text>
                      </Table.Td>
                      <Table.Td style={{ minWidth: 170, overflowWrap: 'anywhere' }}>
                        {r.mailFrom ?? '<> (a bounce)'}
                        {r.size !== null && (
                          <Text size="xs" c="dimmed">
                            {formatSize(r.size)}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td style={{ overflowWrap: 'anywhere' }}>
                        <Text size="sm">{r.response}</Text>
                        <Text size="xs" c="dimmed">
                          to {r.recipient}
                        </Text>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </Stack>
      ) : null}
    </Paper>
  );
}

function EmailChannel({ inbox }: { inbox: Inbox }) {
  const qc = useQueryClient();
  const key = ['inbox', inbox.id, 'email-channel'];
  const channel = useQuery({ queryKey: key, queryFn: () => orNull(unwrap(api.GET('/api/v1/inboxes/{id}/email-channel', { params: { path: { id: inbox.id } } }))) });
  if (channel.isPending) return <Loading label="Loading the email settings" />;
  if (channel.error) return <ErrorAlert error={channel.error} />;
  return (
    <Stack maw={860}>
      <EmailForwarding inbox={inbox} />
      <EmailForm inbox={inbox} channel={channel.data} onSaved={(c) => qc.setQueryData(key, c)} />
    </Stack>
  );
}

function EmailForm({ inbox, channel, onSaved }: { inbox: Inbox; channel: Schemas['EmailChannelView'] | null; onSaved: (c: Schemas['EmailChannelView']) => void }) {
  const [formError, setFormError] = useState<unknown>(null);
  const form = useForm({
    initialValues: {
      address: channel?.address ?? '',
      displayName: channel?.displayName ?? '',
      imapHost: channel?.imapHost ?? '',
      imapPort: (channel?.imapPort ?? 993) as number | string,
      imapSecure: channel?.imapSecure ?? true,
      imapUser: channel?.imapUser ?? '',
      imapPassword: '',
      imapFolder: channel?.imapFolder ?? 'INBOX',
      smtpHost: channel?.smtpHost ?? '',
      smtpPort: (channel?.smtpPort ?? 465) as number | string,
      smtpSecure: channel?.smtpSecure ?? true,
      smtpUser: channel?.smtpUser ?? '',
      smtpPassword: '',
      enabled: channel?.enabled ?? true,
    },
  });
  const save = useMutation({
    mutationFn: (v: typeof form.values) =>
      unwrap(
        api.PUT('/api/v1/inboxes/{id}/email-channel', {
          params: { path: { id: inbox.id } },
          body: {
            ...v,
            displayName: v.displayName.trim() || null,
            imapPort: Number(v.imapPort),
            smtpPort: Number(v.smtpPort),
            imapPassword: v.imapPassword || undefined,
            smtpPassword: v.smtpPassword || undefined,
            smtpUser: v.smtpUser.trim() || null,
            imapFolder: v.imapFolder.trim() || undefined,
          },
        }),
      ),
    onMutate: () => setFormError(null),
    onSuccess: (c) => {
      onSaved(c);
      form.setFieldValue('imapPassword', '');
      form.setFieldValue('smtpPassword', '');
      notifications.show({ color: 'green', message: 'Email settings saved' });
    },
    onError: (e) => setFormError(showApiErrors(form, e)),
  });
  const test = useMutation({ mutationFn: () => unwrap(api.POST('/api/v1/inboxes/{id}/email-channel/test', { params: { path: { id: inbox.id } } })) });

  return (
    <Stack maw={860}>
      <Paper withBorder p="md" radius="md">
        <Group justify="space-between" mb="sm">
          <Title order={2} size="h4">
            Connection test
          </Title>
          <Button onClick={() => test.mutate()} loading={test.isPending} disabled={!channel}>
            Test connection
          </Button>
        </Group>
        {!channel && (
          <Text size="sm" c="dimmed">
            Save the settings below first; the test uses the stored ones.
          </Text>
        )}
        {channel?.mailbox.lastError && (
          <Alert color="orange" variant="light" mb="sm" title="The mailbox reported a problem">
            {channel.mailbox.lastError}
          </Alert>
        )}
        <ErrorAlert error={test.error} />
        {test.isPending && (
          <Text size="sm" c="dimmed" role="status">
            Checking DNS, TCP, TLS, the greeting and the login of both servers…
          </Text>
        )}
        {test.data && (
          <Group align="stretch" wrap="wrap">
            <CheckResult title="IMAP" check={test.data.imap} steps={IMAP_STEPS} secure={channel?.imapSecure ?? true} />
            <CheckResult title="SMTP" check={test.data.smtp} steps={SMTP_STEPS} secure={channel?.smtpSecure ?? true} />
          </Group>
        )}
      </Paper>
      <Paper withBorder p="md" radius="md">
        <form onSubmit={form.onSubmit((v) => save.mutate(v))} noValidate>
          <Stack>
            <ErrorAlert error={formError} />
            <Group grow wrap="wrap" align="flex-start">
              <TextInput label="Email address" required miw={220} {...form.getInputProps('address')} />
              <TextInput label="Display name" miw={220} {...form.getInputProps('displayName')} />
            </Group>
            <Title order={3} size="h5">
              Incoming mail (IMAP)
            </Title>
            <Group grow wrap="wrap" align="flex-start">
              <TextInput label="IMAP host" required miw={220} {...form.getInputProps('imapHost')} />
              <NumberInput label="IMAP port" required allowDecimal={false} clampBehavior="none" miw={120} {...form.getInputProps('imapPort')} />
            </Group>
            <Switch label="IMAP over TLS (IMAPS)" {...form.getInputProps('imapSecure', { type: 'checkbox' })} />
            <Group grow wrap="wrap" align="flex-start">
              <TextInput label="IMAP user" required miw={220} {...form.getInputProps('imapUser')} />
              <PasswordInput
                label="IMAP password"
                description={channel?.imapPasswordSet ? 'Stored; leave empty to keep it' : undefined}
                miw={220}
                {...form.getInputProps('imapPassword')}
              />
            </Group>
            <TextInput label="IMAP folder" {...form.getInputProps('imapFolder')} />
            <Title order={3} size="h5">
              Outgoing mail (SMTP)
            </Title>
            <Group grow wrap="wrap" align="flex-start">
              <TextInput label="SMTP host" required miw={220} {...form.getInputProps('smtpHost')} />
              <NumberInput label="SMTP port" required allowDecimal={false} clampBehavior="none" miw={120} {...form.getInputProps('smtpPort')} />
            </Group>
            <Switch label="SMTP over TLS (SMTPS)" {...form.getInputProps('smtpSecure', { type: 'checkbox' })} />
            <Group grow wrap="wrap" align="flex-start">
              <TextInput label="SMTP user" description="Empty when the server takes mail without a login" miw={220} {...form.getInputProps('smtpUser')} />
              <PasswordInput
                label="SMTP password"
                description={channel?.smtpPasswordSet ? 'Stored; leave empty to keep it' : undefined}
                miw={220}
                {...form.getInputProps('smtpPassword')}
              />
            </Group>
            <Switch label="Read new mail (the mailbox workflow runs)" {...form.getInputProps('enabled', { type: 'checkbox' })} />
            <Group>
              <Button type="submit" loading={save.isPending}>
                Save email settings
              </Button>
            </Group>
          </Stack>
        </form>
      </Paper>
    </Stack>
  );
}

/** The inbox's channel: Twilio settings with the webhook URLs, IMAP/SMTP with the step-by-step test, or the API. */
export function ChannelTab({ inbox }: { inbox: Inbox }) {
  if (inbox.channelType === 'sms') return <SmsChannel inbox={inbox} />;
  if (inbox.channelType === 'email') return <EmailChannel inbox={inbox} />;
  return (
    <Paper withBorder p="md" radius="md" maw={760}>
      <Title order={2} size="h4" mb="xs">
        API channel
      </Title>
      <Text size="sm">
        Your integration posts customer messages to <Code>POST /api/v1/inboxes/{inbox.id}/inbound-messages</Code> with an API token; see the API documentation at{' '}
        <Code>/api/docs</Code>.
      </Text>
    </Paper>
  );
}
