import { Anchor, Button, Group, Paper, Stack, Table, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, unwrap } from '../../api/client';
import { showApiErrors } from '../../api/form-errors';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';

/** The account's teams and a form to create one. */
export default function TeamsPage() {
  const qc = useQueryClient();
  const teams = useQuery({ queryKey: ['teams'], queryFn: () => unwrap(api.GET('/api/v1/teams')) });
  const [formError, setFormError] = useState<unknown>(null);
  const form = useForm({ initialValues: { name: '' } });
  const create = useMutation({
    mutationFn: (body: typeof form.values) => unwrap(api.POST('/api/v1/teams', { body })),
    onMutate: () => setFormError(null),
    onSuccess: async () => {
      form.reset();
      await qc.invalidateQueries({ queryKey: ['teams'] });
    },
    onError: (e) => setFormError(showApiErrors(form, e)),
  });

  return (
    <>
      <PageHeader title="Teams" description="Groups of users across inboxes, for routing and shared saved replies." />
      <Stack>
        <Paper withBorder radius="md" p="md" component="section" aria-label="New team">
          <form onSubmit={form.onSubmit((v) => create.mutate(v))} noValidate>
            <ErrorAlert error={formError} />
            <Group align="flex-start">
              <TextInput label="Team name" placeholder="Billing" {...form.getInputProps('name')} style={{ flex: 1 }} maw={360} />
              <Button type="submit" loading={create.isPending} mt={25}>
                Create team
              </Button>
            </Group>
          </form>
        </Paper>
        <ErrorAlert error={teams.error} />
        {teams.isPending ? (
          <Loading label="Loading teams" />
        ) : !teams.data?.length ? (
          <EmptyState title="No teams yet">Create a team above, then add its members.</EmptyState>
        ) : (
          <Table aria-label="Teams" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Team</Table.Th>
                <Table.Th>Members</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {teams.data.map((t) => (
                <Table.Tr key={t.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/teams/${t.id}`}>
                      {t.name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{t.memberCount}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </>
  );
}
