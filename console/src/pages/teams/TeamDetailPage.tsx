import { Anchor, Button, Group, Paper, Select, Stack, Table, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, ApiError, unwrap } from '../../api/client';
import { showApiErrors } from '../../api/form-errors';
import { ConfirmButton } from '../../components/ConfirmButton';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';

/** A team: rename, members (add / remove), delete. */
export default function TeamDetailPage() {
  const { id = '' } = useParams();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const team = useQuery({
    queryKey: ['team', id],
    queryFn: () => unwrap(api.GET('/api/v1/teams/{id}', { params: { path: { id } } })),
    retry: (n, e) => !(e instanceof ApiError && e.status < 500) && n < 2,
  });
  const users = useQuery({ queryKey: ['users'], queryFn: () => unwrap(api.GET('/api/v1/users')) });
  const [userId, setUserId] = useState<string | null>(null);
  const [formError, setFormError] = useState<unknown>(null);
  const form = useForm({ initialValues: { name: '' } });
  useEffect(() => {
    if (team.data) form.setValues({ name: team.data.name });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [team.data?.name]);
  const refresh = () => Promise.all([qc.invalidateQueries({ queryKey: ['team', id] }), qc.invalidateQueries({ queryKey: ['teams'] })]);
  const rename = useMutation({
    mutationFn: (body: typeof form.values) => unwrap(api.PATCH('/api/v1/teams/{id}', { params: { path: { id } }, body })),
    onMutate: () => setFormError(null),
    onSuccess: refresh,
    onError: (e) => setFormError(showApiErrors(form, e)),
  });
  const add = useMutation({
    mutationFn: (uid: string) => unwrap(api.PUT('/api/v1/teams/{id}/members/{userId}', { params: { path: { id, userId: uid } } })),
    onSuccess: async () => {
      setUserId(null);
      await refresh();
    },
  });
  const removeMember = useMutation({
    mutationFn: (uid: string) => unwrap(api.DELETE('/api/v1/teams/{id}/members/{userId}', { params: { path: { id, userId: uid } } })),
    onSuccess: refresh,
  });

  if (team.error instanceof ApiError && (team.error.status === 404 || team.error.status === 400))
    return <EmptyState title="Team not found">This team does not exist or belongs to another account. Pick a team in the list.</EmptyState>;
  if (team.error) return <ErrorAlert error={team.error} />;
  if (!team.data) return <Loading label="Loading team" />;
  const t = team.data;
  const candidates = (users.data ?? []).filter((u) => u.active && !t.members.some((m) => m.userId === u.id)).map((u) => ({ value: u.id, label: `${u.name} <${u.email}>` }));

  return (
    <>
      <Anchor component={Link} to="/teams" size="sm">
        ← Teams
      </Anchor>
      <PageHeader
        title={t.name}
        description={`${t.memberCount} member${t.memberCount === 1 ? '' : 's'}`}
        actions={
          <ConfirmButton
            variant="light"
            title={`Delete team ${t.name}?`}
            message="The team and its shared saved replies are deleted. Its members stay users of the account. This cannot be undone."
            onConfirm={async () => {
              await unwrap(api.DELETE('/api/v1/teams/{id}', { params: { path: { id } } }));
              await qc.invalidateQueries({ queryKey: ['teams'] });
              await navigate('/teams', { replace: true });
            }}
          >
            Delete team
          </ConfirmButton>
        }
      />
      <Stack>
        <Paper withBorder radius="md" p="md" component="section" aria-label="Name">
          <form onSubmit={form.onSubmit((v) => rename.mutate(v))} noValidate>
            <ErrorAlert error={formError} />
            <Group align="flex-start">
              <TextInput label="Team name" {...form.getInputProps('name')} style={{ flex: 1 }} maw={360} />
              <Button type="submit" variant="default" loading={rename.isPending} mt={25}>
                Rename
              </Button>
            </Group>
          </form>
        </Paper>
        <Paper withBorder radius="md" p="md" component="section" aria-label="Members">
          <Title order={2} size="h5" mb="sm">
            Members
          </Title>
          <ErrorAlert error={add.error ?? removeMember.error ?? users.error} />
          <Group align="flex-end" mb="md">
            <Select label="Add a user" placeholder="Pick a user" searchable data={candidates} value={userId} onChange={setUserId} nothingFoundMessage="Every active user is a member" w={320} />
            <Button onClick={() => userId && add.mutate(userId)} disabled={!userId} loading={add.isPending}>
              Add member
            </Button>
          </Group>
          {t.members.length === 0 ? (
            <EmptyState title="No members yet">Pick a user above and add them to the team.</EmptyState>
          ) : (
            <Table aria-label="Team members">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Email</Table.Th>
                  <Table.Th>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {t.members.map((m) => (
                  <Table.Tr key={m.userId}>
                    <Table.Td>{m.name}</Table.Td>
                    <Table.Td>{m.email}</Table.Td>
                    <Table.Td ta="right">
                      <Button size="compact-xs" variant="subtle" color="red" aria-label={`Remove ${m.name}`} onClick={() => removeMember.mutate(m.userId)}>
                        Remove
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Paper>
      </Stack>
    </>
  );
}
