import { ActionIcon, Button, Checkbox, Group, NumberInput, Select, SimpleGrid, Stack, Switch, Text, Textarea, TextInput, Title } from '@mantine/core';
import type { UseFormReturnType } from '@mantine/form';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { type ConnectorFormValues, LOOKUP_ATTRIBUTES } from './model';

/** The connector's fields (create and edit): lookup, sealed headers, mapping rows, write-back. */
export function ConnectorFields({ form, headerNames }: { form: UseFormReturnType<ConnectorFormValues>; headerNames?: string[] }) {
  const attributes = useQuery({ queryKey: ['contact-attributes'], queryFn: () => unwrap(api.GET('/api/v1/contact-attributes')) });
  const options = (attributes.data ?? []).map((a) => ({ value: a.key, label: `${a.label} (${a.key})` }));
  return (
    <Stack>
      <TextInput label="Name" {...form.getInputProps('name')} data-autofocus />
      {/* Four across on a wide screen, two on a phone (four squeezed the select to two letters). */}
      <SimpleGrid cols={{ base: 2, sm: 4 }} verticalSpacing="sm">
        <Select label="Look up by" data={LOOKUP_ATTRIBUTES} allowDeselect={false} {...form.getInputProps('lookupAttribute')} />
        <NumberInput label="Timeout (ms)" min={100} max={30000} {...form.getInputProps('timeoutMs')} />
        <NumberInput label="Cache TTL (s)" min={0} {...form.getInputProps('cacheTtlSeconds')} />
        <NumberInput
          label="Concurrent lookups"
          description="Automatic lookups (e.g. of an import) at the CRM at once; the rest queue"
          min={1}
          max={50}
          {...form.getInputProps('maxConcurrentLookups')}
        />
      </SimpleGrid>
      <TextInput label="Lookup URL" description="GET; {{value}} is replaced by the contact's email, phone or external id" placeholder="https://crm.example.com/api/contacts?email={{value}}" {...form.getInputProps('lookupUrl')} />
      <Textarea
        label="Headers"
        description={
          headerNames?.length
            ? `Stored sealed: ${headerNames.join(', ')}. Leave empty to keep them; type new ones to replace them all.`
            : 'One per line, "Name: value" (e.g. Authorization: Bearer …). Stored sealed; never shown again.'
        }
        autosize
        minRows={2}
        {...form.getInputProps('headers')}
      />
      <TextInput label="External id field" description="JSON Pointer to the CRM's id of the contact in the answer" {...form.getInputProps('externalIdPointer')} />
      <Stack gap="xs">
        <Title order={3} size="h6">
          Mapping
        </Title>
        <Text size="xs" c="dimmed">
          Each response field (JSON Pointer) fills a contact attribute, which becomes CRM-managed: read-only for agents unless write-back is on.
        </Text>
        {form.values.mapping.map((_, i) => (
          <Group key={i} align="flex-start" wrap="nowrap">
            <TextInput style={{ flex: 1 }} label={`Response field ${i + 1}`} placeholder="/properties/plan" {...form.getInputProps(`mapping.${i}.pointer`)} />
            <Select style={{ flex: 1 }} label={`Attribute ${i + 1}`} data={options} searchable {...form.getInputProps(`mapping.${i}.attribute`)} />
            <ActionIcon mt={26} variant="subtle" color="red" aria-label={`Remove mapping ${i + 1}`} onClick={() => form.removeListItem('mapping', i)}>
              ×
            </ActionIcon>
          </Group>
        ))}
        <Group>
          <Button size="xs" variant="default" onClick={() => form.insertListItem('mapping', { pointer: '', attribute: '' })}>
            Add mapping
          </Button>
        </Group>
      </Stack>
      <Checkbox label="Look up when a contact is created" {...form.getInputProps('lookupOnContactCreated', { type: 'checkbox' })} />
      <Checkbox label="Look up when a conversation starts" {...form.getInputProps('lookupOnConversationStarted', { type: 'checkbox' })} />
      <Switch label="Write-back" description="Agents may edit the mapped attributes; changes are posted, signed and retried, when a conversation's status changes" {...form.getInputProps('writeBackEnabled', { type: 'checkbox' })} />
      {form.values.writeBackEnabled && <TextInput label="Write-back URL" placeholder="https://crm.example.com/api/cx-write-back" {...form.getInputProps('writeBackUrl')} />}
      <Switch label="Enabled" {...form.getInputProps('enabled', { type: 'checkbox' })} />
    </Stack>
  );
}
