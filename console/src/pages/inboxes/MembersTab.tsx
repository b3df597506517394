import { Button, Group, Paper, Select, Stack, Table, Title, VisuallyHidden } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { showApiErrors } from '../../api/form-errors';
import { useMe } from '../../auth/useMe';
import { ConfirmButton, EmptyState, ErrorAlert, Loading } from '../../components';
import type { Inbox } from './useInbox';

type Role = Schemas['SetMemberDto']['role'];
const ROLES = [
  { value: 'member', label: 'Member (works conversations)' },
  { value: 'manager', label: 'Manager (also changes settings)' },
];

export const membersKey = (inboxId: string) => ['inbox', inboxId, 'members'] as const;

export function useMembers(inboxId: string) {
  return useQuery({ queryKey: membersKey(inboxId), queryFn: () => unwrap(api.GET('/api/v1/inboxes/{id}/members', { params: { path: { id: inboxId } } })) });
}

/** The inbox's members and their roles: add a user of the account, change a role, remove. */
export function MembersTab({ inbox }: { inbox: Inbox }) {
  const qc = useQueryClient();
  const me = useMe();
  const members = useMembers(inbox.id);
  // Managers of this inbox (administrators manage every inbox) add the account's users to it.
  const manages = !!me.data && (me.data.isAdmin || me.data.managedInboxIds.includes(inbox.id));
  const users = useQuery({ queryKey: ['users'], queryFn: () => unwrap(api.GET('/api/v1/users')), enabled: manages });
  const [formError, setFormError] = useState<unknown>(null);
  const form = useForm({ initialValues: { userId: null as string | null, role: 'member' as Role } });

  const setRole = useMutation({
    mutationFn: (v: { userId: string; role: Role }) =>
      unwrap(api.PUT('/api/v1/inboxes/{id}/members/{userId}', { params: { path: { id: inbox.id, userId: v.userId } }, body: { role: v.role } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: membersKey(inbox.id) }),
  });
  const add = useMutation({
    mutationFn: (v: typeof form.values) => {
      if (!v.userId) throw new Error('Pick a user to add');
      return unwrap(api.PUT('/api/v1/inboxes/{id}/members/{userId}', { params: { path: { id: inbox.id, userId: v.userId } }, body: { role: v.role } }));
    },
    onMutate: () => setFormError(null),
    onSuccess: () => {
      form.reset();
      return qc.invalidateQueries({ queryKey: membersKey(inbox.id) });
    },
    onError: (e) => setFormError(showApiErrors(form, e)),
  });
  const remove = async (userId: string) => {
    await unwrap(api.DELETE('/api/v1/inboxes/{id}/members/{userId}', { params: { path: { id: inbox.id, userId } } }));
    await qc.invalidateQueries({ queryKey: membersKey(inbox.id) });
  };

  const memberIds = new Set(members.data?.map((m) => m.userId));
  const candidates = (users.data ?? []).filter((u) => u.active && !memberIds.has(u.id)).map((u) => ({ value: u.id, label: `${u.name} <${u.email}>` }));

  return (
    <Stack maw={860}>
      {manages && (
        <Paper withBorder p="md" radius="md">
          <Title order={2} size="h4" mb="sm">
            Add a member
          </Title>
          <form onSubmit={form.onSubmit((v) => add.mutate(v))} noValidate>
            <ErrorAlert error={formError} />
            <Group align="flex-end" wrap="wrap">
              <Select
                label="User"
                placeholder={users.isPending ? 'Loading users…' : candidates.length ? 'Pick a user' : 'Every user is a member already'}
                searchable
                data={candidates}
                style={{ flex: 1, minWidth: 220 }}
                {...form.getInputProps('userId')}
              />
              <Select label="Role" allowDeselect={false} data={ROLES} w={260} {...form.getInputProps('role')} />
              <Button type="submit" loading={add.isPending} disabled={!form.values.userId}>
                Add member
              </Button>
            </Group>
          </form>
        </Paper>
      )}
      <ErrorAlert error={members.error ?? setRole.error} />
      {members.isPending ? (
        <Loading label="Loading members" />
      ) : members.data?.length === 0 ? (
        <EmptyState title="No members yet">Add the agents who answer this inbox's conversations; make a manager of whoever changes its settings.</EmptyState>
      ) : (
        <Paper withBorder radius="md">
          <Table.ScrollContainer minWidth={520}>
            <Table verticalSpacing="sm" aria-label="Members">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Email</Table.Th>
                  <Table.Th>Role</Table.Th>
                  <Table.Th>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {members.data?.map((m) => (
                  <Table.Tr key={m.userId}>
                    <Table.Td>{m.name}</Table.Td>
                    <Table.Td>{m.email}</Table.Td>
                    <Table.Td>
                      <Select
                        aria-label={`Role of ${m.name}`}
                        allowDeselect={false}
                        data={[
                          { value: 'member', label: 'Member' },
                          { value: 'manager', label: 'Manager' },
                        ]}
                        value={m.role}
                        w={140}
                        disabled={setRole.isPending}
                        onChange={(role) => role && role !== m.role && setRole.mutate({ userId: m.userId, role: role as Role })}
                      />
                    </Table.Td>
                    <Table.Td>
                      <ConfirmButton
                        size="compact-sm"
                        variant="subtle"
                        title={`Remove ${m.name} from ${inbox.name}?`}
                        message="They no longer see this inbox's conversations. You can add them again later."
                        confirmLabel="Remove"
                        onConfirm={() => remove(m.userId)}
                        aria-label={`Remove ${m.name}`}
                      >
                        Remove
                      </ConfirmButton>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Paper>
      )}
    </Stack>
  );
}
