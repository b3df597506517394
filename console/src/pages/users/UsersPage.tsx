import { Badge, Button, Checkbox, Group, Modal, PasswordInput, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useDisclosure } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { showApiErrors } from '../../api/form-errors';
import { useMe } from '../../auth/useMe';
import { ConfirmButton } from '../../components/ConfirmButton';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';

type User = Schemas['UserView'];

function CreateUserButton() {
  const [opened, { open, close }] = useDisclosure(false);
  const [formError, setFormError] = useState<unknown>(null);
  const qc = useQueryClient();
  const form = useForm({ initialValues: { name: '', email: '', password: '', isAdmin: false } });
  const create = useMutation({
    mutationFn: (body: typeof form.values) => unwrap(api.POST('/api/v1/users', { body })),
    onMutate: () => setFormError(null),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ['users'] });
      form.reset();
      close();
    },
    onError: (e) => setFormError(showApiErrors(form, e)),
  });
  return (
    <>
      <Button onClick={open}>New user</Button>
      <Modal opened={opened} onClose={close} title="New user">
        <form onSubmit={form.onSubmit((v) => create.mutate(v))} noValidate>
          <Stack>
            <ErrorAlert error={formError} />
            <TextInput label="Name" {...form.getInputProps('name')} data-autofocus />
            <TextInput label="Email" type="email" {...form.getInputProps('email')} />
            <PasswordInput label="Initial password" description="At least 10 characters; tell it to the user, who can change it" {...form.getInputProps('password')} />
            <Checkbox label="Account administrator" {...form.getInputProps('isAdmin', { type: 'checkbox' })} />
            <Text size="xs" c="dimmed">
              Inbox roles (member or manager) are given in each inbox&apos;s members.
            </Text>
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" loading={create.isPending}>
                Create user
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}

function UserRow({ user, self }: { user: User; self: boolean }) {
  const qc = useQueryClient();
  const update = useMutation({
    mutationFn: (body: Schemas['UpdateUserDto']) => unwrap(api.PATCH('/api/v1/users/{id}', { params: { path: { id: user.id } }, body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['users'] }),
  });
  return (
    <Table.Tr>
      <Table.Td>
        <Text size="sm" fw={500}>
          {user.name} {self && <Badge size="xs" variant="light">you</Badge>}
        </Text>
        <Text size="xs" c="dimmed">
          {user.email}
        </Text>
        {update.error != null && <ErrorAlert error={update.error} />}
      </Table.Td>
      <Table.Td>
        <Select
          aria-label={`Role of ${user.name}`}
          size="xs"
          w={150}
          allowDeselect={false}
          disabled={self || update.isPending}
          value={user.isAdmin ? 'admin' : 'user'}
          onChange={(v) => update.mutate({ isAdmin: v === 'admin' })}
          data={[
            { value: 'admin', label: 'Administrator' },
            { value: 'user', label: 'User' },
          ]}
        />
      </Table.Td>
      <Table.Td>{user.active ? <Badge color="green" variant="light">active</Badge> : <Badge color="gray">deactivated</Badge>}</Table.Td>
      <Table.Td ta="right">
        {!self &&
          (user.active ? (
            <ConfirmButton
              size="compact-sm"
              variant="subtle"
              title={`Deactivate ${user.name}?`}
              message="They are logged out everywhere and cannot log in until you activate them again. Their conversations stay."
              onConfirm={() => update.mutateAsync({ active: false })}
              aria-label={`Deactivate ${user.name}`}
            >
              Deactivate
            </ConfirmButton>
          ) : (
            <Button size="compact-sm" variant="subtle" onClick={() => update.mutate({ active: true })} loading={update.isPending} aria-label={`Activate ${user.name}`}>
              Activate
            </Button>
          ))}
      </Table.Td>
    </Table.Tr>
  );
}

/** The account's users: create, administrator role, deactivate / activate. */
export default function UsersPage() {
  const me = useMe();
  const users = useQuery({ queryKey: ['users'], queryFn: () => unwrap(api.GET('/api/v1/users')) });
  return (
    <>
      <PageHeader title="Users" description="The people of your account and their roles." actions={<CreateUserButton />} />
      <ErrorAlert error={users.error} />
      {users.isPending ? (
        <Loading label="Loading users" />
      ) : !users.data?.length ? (
        <EmptyState title="No users">Create a user for each person of your team.</EmptyState>
      ) : (
        <Table.ScrollContainer minWidth={520}>
          <Table aria-label="Users" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>User</Table.Th>
                <Table.Th>Role</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th ta="right">Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {users.data.map((u) => (
                <UserRow key={u.id} user={u} self={u.id === me.data?.user.id} />
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </>
  );
}
