import { Button, Checkbox, Group, Menu, Modal, NumberInput, Paper, Select, SimpleGrid, Stack, TagsInput, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useDebouncedValue, useDisclosure } from '@mantine/hooks';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { ApiError, api, unwrap, type Schemas } from '../../api/client';
import { showApiErrors } from '../../api/form-errors';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import type { Campaign } from './campaignUi';

type CreateBody = Schemas['CreateCampaignDto'];
type Audience = Schemas['CampaignAudienceDto'];

interface FormValues {
  name: string;
  type: CreateBody['type'];
  inboxId: string;
  audience: { tags: string[]; attributes: string };
  template: string;
  companyNamePrefix: boolean;
  scheduledAt: string;
  rateLimitPerSecond: number | string;
  quietHoursOn: boolean;
  quietHours: { start: string; end: string };
  /** SMS inboxes: MMS media URLs sent with every message. */
  mediaUrls: string[];
}

/** "city=Berlin" lines -> { city: 'Berlin' }. */
function parseAttributes(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}

function toAudience(v: FormValues['audience']): Audience {
  const attributes = parseAttributes(v.attributes);
  return { ...(v.tags.length ? { tags: v.tags } : {}), ...(Object.keys(attributes).length ? { attributes } : {}) };
}

/** A Date as the value of an <input type="datetime-local"> (local time). */
function toLocalInput(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function initialValues(c?: Campaign): FormValues {
  return {
    name: c?.name ?? '',
    type: c?.type ?? 'promotional',
    inboxId: c?.inboxId ?? '',
    audience: {
      tags: c?.audience.tags ?? [],
      attributes: Object.entries(c?.audience.attributes ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join('\n'),
    },
    template: c?.template ?? '',
    companyNamePrefix: c?.companyNamePrefix ?? false,
    scheduledAt: toLocalInput(c?.scheduledAt ?? null),
    rateLimitPerSecond: c?.rateLimitPerSecond ?? '',
    quietHoursOn: Boolean(c?.quietHours),
    quietHours: { start: c?.quietHours?.start.slice(0, 5) ?? '21:00', end: c?.quietHours?.end.slice(0, 5) ?? '08:00' },
    mediaUrls: c?.mediaUrls ?? [],
  };
}

export default function CampaignFormPage() {
  const { id } = useParams();
  const campaign = useQuery({
    queryKey: ['campaign', id],
    queryFn: () => unwrap(api.GET('/api/v1/campaigns/{id}', { params: { path: { id: id! } } })),
    enabled: Boolean(id),
  });
  if (id && campaign.isPending) return <Loading />;
  if (id && campaign.error) return <ErrorAlert error={campaign.error} />;
  return <CampaignForm campaign={campaign.data} />;
}

function CampaignForm({ campaign }: { campaign?: Campaign }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const editing = Boolean(campaign);
  const form = useForm<FormValues>({ mode: 'controlled', initialValues: initialValues(campaign) });
  const [formError, setFormError] = useState<unknown>(null);
  const template = useRef<HTMLTextAreaElement>(null);

  const inboxes = useQuery({ queryKey: ['inboxes'], queryFn: () => unwrap(api.GET('/api/v1/inboxes')) });
  const sendingInboxes = (inboxes.data ?? []).filter((i) => i.channelType !== 'email' && (i.myRole === 'manager' || i.myRole === 'admin'));
  const variables = useQuery({ queryKey: ['variables'], queryFn: () => unwrap(api.GET('/api/v1/variables')) });

  // The live audience count: the unsaved audience, counted 400 ms after the last change.
  const [audienceKey] = useDebouncedValue(JSON.stringify({ inboxId: form.values.inboxId, audience: toAudience(form.values.audience) }), 400);
  const preview = useQuery({
    queryKey: ['audience-preview', audienceKey],
    queryFn: () => unwrap(api.POST('/api/v1/campaigns/audience-preview', { body: JSON.parse(audienceKey) as Schemas['PreviewAudienceDto'] })),
    enabled: JSON.parse(audienceKey).inboxId !== '',
    placeholderData: keepPreviousData,
    retry: false,
  });

  const channelOf = (inboxId: string) => inboxes.data?.find((i) => i.id === inboxId)?.channelType;

  const save = useMutation({
    mutationFn: (v: FormValues) => {
      const fields = {
        name: v.name,
        type: v.type,
        audience: toAudience(v.audience),
        template: v.template,
        companyNamePrefix: v.companyNamePrefix,
        scheduledAt: v.scheduledAt ? new Date(v.scheduledAt).toISOString() : null,
        rateLimitPerSecond: v.rateLimitPerSecond === '' ? null : Number(v.rateLimitPerSecond),
        quietHours: v.quietHoursOn ? v.quietHours : null,
        // Only SMS inboxes carry media; on edit [] removes them.
        ...(channelOf(v.inboxId) === 'sms' && (campaign || v.mediaUrls.length) ? { mediaUrls: v.mediaUrls } : {}),
      };
      return campaign
        ? unwrap(api.PATCH('/api/v1/campaigns/{id}', { params: { path: { id: campaign.id } }, body: fields }))
        : unwrap(api.POST('/api/v1/campaigns', { body: { ...fields, inboxId: v.inboxId } }));
    },
    onSuccess: (saved) => {
      void queryClient.invalidateQueries({ queryKey: ['campaigns'] });
      queryClient.setQueryData(['campaign', saved.id], saved);
      void navigate(`/campaigns/${saved.id}`);
    },
    // audience.attributes.<key> problems go next to the attribute filters field.
    // mediaUrls[i] problems go on the media field, each naming its URL.
    onError: (e, v) => {
      const details = e instanceof ApiError ? e.details : [];
      const fields = Object.fromEntries(
        details.filter((d) => d.field.startsWith('audience.attributes') || d.field.startsWith('mediaUrls')).map((d) => [d.field, d.field.startsWith('mediaUrls') ? 'mediaUrls' : 'audience.attributes']),
      );
      setFormError(showApiErrors(form, e, fields));
      const media = details
        .filter((d) => d.field.startsWith('mediaUrls'))
        .map((d) => {
          const at = /^mediaUrls\[(\d+)\]$/.exec(d.field);
          return at ? `${v.mediaUrls[Number(at[1])] ?? d.field}: ${d.problem}` : d.problem;
        });
      if (media.length) form.setFieldError('mediaUrls', media.join('; '));
    },
  });

  const insertVariable = (name: string) => {
    const el = template.current;
    const text = `{{${name}}}`;
    const value = form.getValues().template;
    const start = el?.selectionStart ?? value.length;
    const end = el?.selectionEnd ?? value.length;
    form.setFieldValue('template', value.slice(0, start) + text + value.slice(end));
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(start + text.length, start + text.length);
    });
  };

  const inboxChannel = channelOf(form.values.inboxId);

  return (
    <>
      <PageHeader title={editing ? `Edit ${campaign!.name}` : 'New campaign'} description="A draft: nothing is sent until you start it." />
      <form
        onSubmit={form.onSubmit((v) => {
          setFormError(null);
          save.mutate(v);
        })}
        noValidate
      >
        <ErrorAlert error={formError} />
        <Stack gap="lg" maw={760}>
          <Paper withBorder p="md" radius="md">
            <Stack>
              <Title order={2} size="h4">
                Campaign
              </Title>
              <TextInput label="Name" required {...form.getInputProps('name')} />
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                <Select
                  label="Sending inbox"
                  required
                  disabled={editing}
                  placeholder={inboxes.isPending ? 'Loading…' : 'Pick an SMS or API inbox'}
                  data={sendingInboxes.map((i) => ({ value: i.id, label: `${i.name} (${i.channelType.toUpperCase()})` }))}
                  {...form.getInputProps('inboxId')}
                />
                <Select
                  label="Type"
                  required
                  allowDeselect={false}
                  data={[
                    { value: 'promotional', label: 'Promotional' },
                    { value: 'notification', label: 'Notification' },
                    { value: 'one_off', label: 'One-off' },
                  ]}
                  {...form.getInputProps('type')}
                />
              </SimpleGrid>
            </Stack>
          </Paper>

          <Paper withBorder p="md" radius="md">
            <Stack>
              <Title order={2} size="h4">
                Audience
              </Title>
              <TagsInput label="Contacts with any of these tags" description="Leave empty for no tag filter; press Enter after each tag" {...form.getInputProps('audience.tags')} />
              <Textarea
                label="Attribute filters"
                description="One key=value per line, e.g. city=Berlin; all must match"
                autosize
                minRows={2}
                {...form.getInputProps('audience.attributes')}
              />
              <AudienceCount inboxPicked={form.values.inboxId !== ''} preview={preview} />
            </Stack>
          </Paper>

          <Paper withBorder p="md" radius="md">
            <Stack>
              <Group justify="space-between" wrap="wrap">
                <Title order={2} size="h4">
                  Message
                </Title>
                <Group gap="xs">
                  <Menu shadow="md" position="bottom-end" withinPortal>
                    <Menu.Target>
                      <Button variant="default" size="xs">
                        Insert variable
                      </Button>
                    </Menu.Target>
                    <Menu.Dropdown mah={320} style={{ overflowY: 'auto' }}>
                      {(variables.data ?? []).map((v) => (
                        <Menu.Item key={v.name} onClick={() => insertVariable(v.name)}>
                          {v.label} <Text span c="dimmed" size="xs">{`{{${v.name}}}`}</Text>
                        </Menu.Item>
                      ))}
                    </Menu.Dropdown>
                  </Menu>
                  <AssistantButton campaignType={form.values.type} channel={inboxChannel} onDraft={(text) => form.setFieldValue('template', text)} />
                </Group>
              </Group>
              <Textarea
                ref={template}
                label="Template"
                required
                autosize
                minRows={4}
                description={`${form.values.template.length} characters${inboxChannel === 'sms' ? ' (SMS: 160 per segment)' : ''}; variables are filled in per contact`}
                {...form.getInputProps('template')}
              />
              <Checkbox label='Prefix the company name ("Company: …") when the account setting is on' {...form.getInputProps('companyNamePrefix', { type: 'checkbox' })} />
              {inboxChannel === 'sms' && (
                <TagsInput
                  label="Media (MMS)"
                  description="Public URLs of images, video, audio, a vCard or a PDF, sent with every message; Enter adds one. Checked when you save and when you start."
                  placeholder={form.values.mediaUrls.length ? undefined : 'https://…'}
                  maxTags={10}
                  clearable
                  {...form.getInputProps('mediaUrls')}
                />
              )}
            </Stack>
          </Paper>

          <Paper withBorder p="md" radius="md">
            <Stack>
              <Title order={2} size="h4">
                Sending
              </Title>
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                <TextInput type="datetime-local" label="Schedule" description="Empty: send when started" {...form.getInputProps('scheduledAt')} />
                <NumberInput label="Messages per second" description="Empty: as fast as the provider allows" min={1} max={1000} allowDecimal={false} {...form.getInputProps('rateLimitPerSecond')} />
              </SimpleGrid>
              <Checkbox label="Quiet hours (no sends in this window of each recipient's local time)" {...form.getInputProps('quietHoursOn', { type: 'checkbox' })} />
              {form.values.quietHoursOn && (
                <SimpleGrid cols={2}>
                  <TextInput type="time" label="Quiet from" {...form.getInputProps('quietHours.start')} />
                  <TextInput type="time" label="Quiet until" {...form.getInputProps('quietHours.end')} />
                </SimpleGrid>
              )}
            </Stack>
          </Paper>

          <Group justify="flex-end">
            <Button variant="default" onClick={() => void navigate(campaign ? `/campaigns/${campaign.id}` : '/campaigns')}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending}>
              {editing ? 'Save changes' : 'Create draft'}
            </Button>
          </Group>
        </Stack>
      </form>
    </>
  );
}

function AudienceCount({ inboxPicked, preview }: { inboxPicked: boolean; preview: { data?: Schemas['AudiencePreviewView']; error: unknown; isFetching: boolean } }) {
  let text: string;
  if (!inboxPicked) text = 'Pick the sending inbox to count the audience.';
  else if (preview.error) text = preview.error instanceof Error ? `Cannot count: ${preview.error.message}` : 'Cannot count the audience';
  else if (!preview.data) text = 'Counting…';
  else text = `${preview.data.count.toLocaleString()} contacts in the audience${preview.data.optedOut ? `, ${preview.data.optedOut.toLocaleString()} of them opted out (skipped)` : ''}`;
  return (
    <Text role="status" aria-live="polite" aria-label="Audience size" fw={500} c={preview.error ? 'red' : undefined} style={{ opacity: preview.isFetching ? 0.6 : 1 }}>
      {text}
    </Text>
  );
}

const TONES = ['friendly', 'formal', 'casual', 'urgent', 'professional', 'playful', 'empathetic'] as const;

function AssistantButton({ campaignType, channel, onDraft }: { campaignType: FormValues['type']; channel?: string; onDraft: (text: string) => void }) {
  const [opened, { open, close }] = useDisclosure(false);
  const [topic, setTopic] = useState('');
  const [tone, setTone] = useState<(typeof TONES)[number]>('friendly');
  const draft = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/message-assistant/drafts', {
          body: {
            topic,
            tone,
            campaignType: campaignType === 'one_off' ? 'announcement' : campaignType,
            ...(channel ? { channel: channel as Schemas['DraftCampaignMessageDto']['channel'] } : {}),
          },
        }),
      ),
    onSuccess: (d) => {
      onDraft(d.draft);
      close();
    },
  });
  useEffect(() => {
    if (opened) draft.reset();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [opened]);
  return (
    <>
      <Button variant="light" size="xs" onClick={open}>
        Draft with Message Assistant
      </Button>
      <Modal opened={opened} onClose={close} title="Draft with Message Assistant" centered>
        <Stack>
          <ErrorAlert error={draft.error} />
          <Textarea label="What is the message about?" required autosize minRows={2} value={topic} onChange={(e) => setTopic(e.currentTarget.value)} />
          <Select label="Tone" allowDeselect={false} data={TONES.map((t) => ({ value: t, label: t[0].toUpperCase() + t.slice(1) }))} value={tone} onChange={(v) => v && setTone(v as typeof tone)} />
          <Text size="xs" c="dimmed">
            The draft replaces the template; edit it before saving. Nothing is sent.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button onClick={() => draft.mutate()} loading={draft.isPending} disabled={topic.trim() === ''}>
              Write draft
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
