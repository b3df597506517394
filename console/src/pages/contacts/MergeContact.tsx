import { Alert, Button, Group, Modal, Select, Stack, Table, Text } from '@mantine/core';
import { useDebouncedValue, useDisclosure } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { contactName } from './contactName';

type Contact = Schemas['ContactView'];

/** What the merged contact looks like, by the API's rule: the survivor's non-empty values win. */
function preview(keep: Contact, other: Contact) {
  const pick = (a: string | null, b: string | null) => a || b || '—';
  const attrs = new Map<string, { label: string; keep: string | null; other: string | null }>();
  for (const a of keep.attributes) attrs.set(a.key, { label: a.label, keep: a.value, other: null });
  for (const a of other.attributes) {
    const e = attrs.get(a.key);
    if (e) e.other = a.value;
    else attrs.set(a.key, { label: a.label, keep: null, other: a.value });
  }
  return [
    { field: 'Name', keep: keep.name ?? '—', other: other.name ?? '—', result: pick(keep.name, other.name) },
    { field: 'Email', keep: keep.email ?? '—', other: other.email ?? '—', result: pick(keep.email, other.email) },
    { field: 'Phone', keep: keep.phone ?? '—', other: other.phone ?? '—', result: pick(keep.phone, other.phone) },
    { field: 'VIP', keep: keep.vip ? 'yes' : 'no', other: other.vip ? 'yes' : 'no', result: keep.vip || other.vip ? 'yes' : 'no' },
    {
      field: 'Tags',
      keep: keep.tags.join(', ') || '—',
      other: other.tags.join(', ') || '—',
      result: [...new Set([...keep.tags, ...other.tags])].sort().join(', ') || '—',
    },
    ...[...attrs.values()].map((a) => ({ field: a.label, keep: a.keep ?? '—', other: a.other ?? '—', result: pick(a.keep, a.other) })),
  ];
}

/** "Merge…": pick the other contact, see what wins, confirm; this contact survives. */
export function MergeContactButton({ contact, onMerged }: { contact: Contact; onMerged: () => void }) {
  const [opened, { open, close }] = useDisclosure(false);
  const [search, setSearch] = useState('');
  const [otherId, setOtherId] = useState<string | null>(null);
  const [dsearch] = useDebouncedValue(search.trim(), 250);
  const qc = useQueryClient();
  const candidates = useQuery({
    queryKey: ['contacts', 'merge-candidates', dsearch],
    queryFn: () => unwrap(api.GET('/api/v1/contacts', { params: { query: { limit: 20, ...(dsearch ? { q: dsearch } : {}) } } })),
    enabled: opened,
  });
  const other = useQuery({
    queryKey: ['contact', otherId],
    queryFn: () => unwrap(api.GET('/api/v1/contacts/{id}', { params: { path: { id: otherId! } } })),
    enabled: !!otherId,
  });
  const merge = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/contacts/{id}/merge', { params: { path: { id: contact.id } }, body: { otherContactId: otherId! } })),
    onSuccess: (merged) => {
      qc.setQueryData(['contact', contact.id], merged);
      qc.removeQueries({ queryKey: ['contact', otherId] });
      void qc.invalidateQueries({ queryKey: ['contact', contact.id, 'messages'] });
      onMerged();
      setOtherId(null);
      close();
    },
  });
  const options = (candidates.data?.items ?? []).filter((c) => c.id !== contact.id).map((c) => ({ value: c.id, label: `${contactName(c)}${c.email && c.name ? ` <${c.email}>` : ''}` }));
  if (other.data && !options.some((o) => o.value === other.data.id)) options.push({ value: other.data.id, label: contactName(other.data) });

  return (
    <>
      <Button variant="default" onClick={open}>
        Merge…
      </Button>
      <Modal opened={opened} onClose={close} title={`Merge another contact into ${contactName(contact)}`} size="lg">
        <Stack>
          <Select
            label="Contact to merge"
            placeholder="Search by name, email or phone"
            searchable
            searchValue={search}
            onSearchChange={setSearch}
            filter={({ options: o }) => o}
            data={options}
            value={otherId}
            onChange={setOtherId}
            nothingFoundMessage={candidates.isFetching ? 'Searching…' : 'No other contact found'}
          />
          <ErrorAlert error={other.error ?? merge.error} />
          {other.data && (
            <>
              <Table aria-label="Merge preview" withTableBorder>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Field</Table.Th>
                    <Table.Th>{contactName(contact)} (kept)</Table.Th>
                    <Table.Th>{contactName(other.data)} (merged)</Table.Th>
                    <Table.Th>Result</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {preview(contact, other.data).map((r) => (
                    <Table.Tr key={r.field}>
                      <Table.Td>{r.field}</Table.Td>
                      <Table.Td>{r.keep}</Table.Td>
                      <Table.Td>{r.other}</Table.Td>
                      <Table.Td fw={600}>{r.result}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
              <Alert color="orange" title="This cannot be undone">
                <Text size="sm">
                  {contactName(other.data)}&apos;s identities, conversations, favourites and opt-outs move to {contactName(contact)}; then{' '}
                  {contactName(other.data)} is deleted. Opting out wins, tags are joined, and VIP stays when either is.
                </Text>
              </Alert>
            </>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button color="orange" disabled={!other.data} loading={merge.isPending} onClick={() => merge.mutate()}>
              Merge contacts
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
