import { ActionIcon, Button, Group, Paper, Select, Stack, Switch, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useMemo, useState } from 'react';
import { ApiError } from '../../api/client';
import { showApiErrors } from '../../api/form-errors';
import { ErrorAlert } from '../../components';
import { type Inbox, useUpdateInbox } from './useInbox';

export const WEEKDAYS = [
  ['mon', 'Monday'],
  ['tue', 'Tuesday'],
  ['wed', 'Wednesday'],
  ['thu', 'Thursday'],
  ['fri', 'Friday'],
  ['sat', 'Saturday'],
  ['sun', 'Sunday'],
] as const;
type Day = (typeof WEEKDAYS)[number][0];
interface Interval {
  start: string;
  end: string;
}
interface Exception {
  date: string;
  /** Empty: closed all day. */
  intervals: Interval[];
}

function timeZones(): string[] {
  const list = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return list.includes('UTC') ? list : ['UTC', ...list];
}

function valuesOf(inbox: Inbox) {
  const bh = inbox.settings.businessHours;
  const intervals = Object.fromEntries(WEEKDAYS.map(([d]) => [d, (bh.intervals[d] ?? []).map((i) => ({ ...i }))])) as Record<Day, Interval[]>;
  const exceptions: Exception[] = Object.entries(bh.exceptions)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([date, list]) => ({ date, intervals: list.map((i) => ({ ...i })) }));
  return { settings: { businessHours: { enabled: bh.enabled, timezone: bh.timezone, intervals, outOfOfficeMessage: bh.outOfOfficeMessage ?? '' } }, exceptions };
}

const crossesMidnight = (i: Interval) => /^\d\d:\d\d$/.test(i.start) && /^\d\d:\d\d$/.test(i.end) && i.end < i.start;

function IntervalRow({ label, path, form, onRemove, value }: { label: string; path: string; form: ReturnType<typeof useBhForm>; onRemove: () => void; value: Interval }) {
  const rowError = form.errors[path];
  return (
    <Stack gap={2}>
    <Group gap="xs" align="flex-start" wrap="nowrap">
      <TextInput type="time" aria-label={`${label} start`} w={120} {...form.getInputProps(`${path}.start`)} />
      <Text pt={6} size="sm" aria-hidden>
        –
      </Text>
      <TextInput type="time" aria-label={`${label} end`} w={120} {...form.getInputProps(`${path}.end`)} />
      <ActionIcon variant="subtle" color="red" mt={4} aria-label={`Remove ${label}`} onClick={onRemove}>
        ✕
      </ActionIcon>
      {crossesMidnight(value) && (
        <Text size="xs" c="dimmed" pt={8}>
          until the next day
        </Text>
      )}
    </Group>
      {rowError && (
        <Text size="xs" c="red" role="alert">
          {rowError}
        </Text>
      )}
    </Stack>
  );
}

function useBhForm(inbox: Inbox) {
  return useForm({ initialValues: valuesOf(inbox) });
}

/** The weekly editor (several intervals a day, across midnight), holidays / special days, time zone, out-of-office. */
export function BusinessHoursTab({ inbox }: { inbox: Inbox }) {
  const zones = useMemo(timeZones, []);
  const [formError, setFormError] = useState<unknown>(null);
  const form = useBhForm(inbox);
  const save = useUpdateInbox(inbox.id, {
    onSuccess: (saved) => {
      form.setValues(valuesOf(saved));
      form.resetDirty(valuesOf(saved));
      notifications.show({ color: 'green', message: 'Business hours saved' });
    },
    onError: (e) => {
      // Exceptions are keyed by date in the API, a list in the form: point each date's problems at its row.
      const fields: Record<string, string> = {};
      if (e instanceof ApiError) {
        form.getValues().exceptions.forEach((ex, i) => {
          for (const d of e.details) {
            const prefix = `settings.businessHours.exceptions.${ex.date}`;
            if (d.field === prefix) fields[d.field] = `exceptions.${i}.date`;
            else if (d.field.startsWith(prefix + '.')) fields[d.field] = `exceptions.${i}.intervals${d.field.slice(prefix.length).replace(/\[(\d+)\]/g, '.$1')}`;
          }
        });
      }
      setFormError(showApiErrors(form, e, fields));
    },
  });

  const submit = form.onSubmit((v) => {
    setFormError(null);
    const bh = v.settings.businessHours;
    const dupes = v.exceptions.map((x) => x.date).filter((d, i, all) => d && all.indexOf(d) !== i);
    if (dupes.length) {
      v.exceptions.forEach((x, i) => dupes.includes(x.date) && form.setFieldError(`exceptions.${i}.date`, 'this date is listed twice'));
      return;
    }
    const missing = v.exceptions.findIndex((x) => !x.date);
    if (missing >= 0) {
      form.setFieldError(`exceptions.${missing}.date`, 'pick a date');
      return;
    }
    save.mutate({
      settings: {
        businessHours: {
          enabled: bh.enabled,
          timezone: bh.timezone,
          intervals: Object.fromEntries(Object.entries(bh.intervals).filter(([, list]) => list.length > 0)),
          exceptions: Object.fromEntries(v.exceptions.map((x) => [x.date, x.intervals])),
          outOfOfficeMessage: bh.outOfOfficeMessage.trim() ? bh.outOfOfficeMessage : null,
        },
      },
    });
  });

  const bh = form.values.settings.businessHours;
  return (
    <form onSubmit={submit} noValidate>
      <Stack maw={760}>
        <ErrorAlert error={formError} />
        <Paper withBorder p="md" radius="md">
          <Stack>
            <Switch
              label="Use business hours"
              description="Outside these hours new conversations get the out-of-office message; routing and automation can check them."
              {...form.getInputProps('settings.businessHours.enabled', { type: 'checkbox' })}
            />
            <Select
              label="Time zone"
              description="The hours below are wall-clock times in this zone (daylight saving included)"
              searchable
              allowDeselect={false}
              data={zones}
              limit={200}
              nothingFoundMessage="No such time zone"
              {...form.getInputProps('settings.businessHours.timezone')}
            />
          </Stack>
        </Paper>

        <Paper withBorder p="md" radius="md">
          <Title order={2} size="h4" mb={4}>
            Weekly hours
          </Title>
          <Text size="xs" c="dimmed" mb="md">
            Several intervals a day are fine; an interval whose end is not after its start runs across midnight (e.g. 22:00 – 06:00). A day without intervals is closed.
          </Text>
          <Stack gap="sm">
            {WEEKDAYS.map(([day, name]) => {
              const list = bh.intervals[day];
              return (
                <Group key={day} align="flex-start" gap="md" wrap="wrap" role="group" aria-label={name}>
                  <Text fw={500} size="sm" w={96} pt={6}>
                    {name}
                  </Text>
                  <Stack gap={6} style={{ flex: 1, minWidth: 260 }}>
                    {list.length === 0 && (
                      <Text size="sm" c="dimmed" pt={6}>
                        Closed
                      </Text>
                    )}
                    {list.map((iv, i) => (
                      <IntervalRow
                        key={i}
                        label={`${name} interval ${i + 1}`}
                        path={`settings.businessHours.intervals.${day}.${i}`}
                        form={form}
                        value={iv}
                        onRemove={() => form.removeListItem(`settings.businessHours.intervals.${day}`, i)}
                      />
                    ))}
                    <Button
                      variant="subtle"
                      size="compact-sm"
                      w="fit-content"
                      aria-label={`Add interval on ${name}`}
                      onClick={() => {
                        const last = list[list.length - 1];
                        form.insertListItem(`settings.businessHours.intervals.${day}`, last ? { start: last.end, end: last.end < '18:00' ? '18:00' : '23:00' } : { start: '09:00', end: '17:00' });
                      }}
                    >
                      + Add interval
                    </Button>
                  </Stack>
                </Group>
              );
            })}
          </Stack>
        </Paper>

        <Paper withBorder p="md" radius="md">
          <Title order={2} size="h4" mb={4}>
            Holidays and special days
          </Title>
          <Text size="xs" c="dimmed" mb="md">
            A date listed here replaces that weekday's hours: closed all day, or its own intervals.
          </Text>
          <Stack gap="md">
            {form.values.exceptions.length === 0 && (
              <Text size="sm" c="dimmed">
                No holidays yet. Add one for each day the team is off.
              </Text>
            )}
            {form.values.exceptions.map((ex, i) => (
              <Stack key={i} gap={6} role="group" aria-label={`Special day ${i + 1}`}>
                <Group align="flex-start" gap="sm">
                  <TextInput type="date" label={`Date of special day ${i + 1}`} w={180} {...form.getInputProps(`exceptions.${i}.date`)} />
                  <Text size="sm" pt={30} c="dimmed">
                    {ex.intervals.length === 0 ? 'Closed all day' : 'Open:'}
                  </Text>
                  <Button variant="subtle" color="red" size="compact-sm" mt={28} onClick={() => form.removeListItem('exceptions', i)}>
                    Remove special day {i + 1}
                  </Button>
                </Group>
                {ex.intervals.map((iv, j) => (
                  <IntervalRow
                    key={j}
                    label={`Special day ${i + 1} interval ${j + 1}`}
                    path={`exceptions.${i}.intervals.${j}`}
                    form={form}
                    value={iv}
                    onRemove={() => form.removeListItem(`exceptions.${i}.intervals`, j)}
                  />
                ))}
                <Button variant="subtle" size="compact-sm" w="fit-content" onClick={() => form.insertListItem(`exceptions.${i}.intervals`, { start: '10:00', end: '14:00' })}>
                  + Add opening hours to special day {i + 1}
                </Button>
              </Stack>
            ))}
            <Button variant="light" w="fit-content" onClick={() => form.insertListItem('exceptions', { date: '', intervals: [] })}>
              Add holiday
            </Button>
          </Stack>
        </Paper>

        <Paper withBorder p="md" radius="md">
          <Textarea
            label="Out-of-office message"
            description="Sent once per closed period to customers who write outside business hours; leave empty for none."
            autosize
            minRows={2}
            {...form.getInputProps('settings.businessHours.outOfOfficeMessage')}
          />
        </Paper>
        <Group>
          <Button type="submit" loading={save.isPending}>
            Save business hours
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
